"""Trusted verifier for cuda_softmax: the CUDA kit judges each trial the harness ran.

Every trial has fresh inputs from a seed drawn in the sandbox; the kit regenerates them
here, checks sampled rows against float64 NumPy and applies the hardening checks
(evaluators/cuda/verify.py). Widths include ones that are not multiples of 32.
"""

from pathlib import Path

from evaluators.cuda.verify import Family, KernelVerifier

SEARCH = [
    Family("wide", {"rows": [1024, 2048], "cols": [1000, 2048, 3000, 4096]}, trials=12),
    Family("narrow", {"rows": [4096, 8192], "cols": [128, 200, 256, 384]}, trials=12),
    Family("huge", {"rows": [256, 512], "cols": [8192, 12000, 16384]}, trials=12),
]
HELDOUT = [
    Family("wide", {"rows": [1536], "cols": [1536, 5000]}, trials=12),
    Family("narrow", {"rows": [6144], "cols": [96, 320]}, trials=12),
    Family("huge", {"rows": [384], "cols": [10000, 20000]}, trials=12),
]

_KIT = KernelVerifier(Path(__file__).with_name("kernel.py"), SEARCH, HELDOUT)
cases = _KIT.cases
score = _KIT.score
combine = _KIT.combine
