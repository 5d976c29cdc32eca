"""Trusted verifier for cuda_layernorm: the CUDA kit judges each trial the harness ran.

Every trial has fresh inputs from a seed drawn in the sandbox; the kit regenerates them
here, checks sampled rows against float64 NumPy and applies the hardening checks
(evaluators/cuda/verify.py). Widths include model sizes and odd ones.
"""

from pathlib import Path

from evaluators.cuda.verify import Family, KernelVerifier

SEARCH = [
    Family("model", {"rows": [2048, 4096], "cols": [768, 1024, 4096]}, trials=12),
    Family("odd", {"rows": [1000, 3000], "cols": [500, 1000, 2500]}, trials=12),
    Family("wide", {"rows": [256, 512], "cols": [8192, 12288]}, trials=12),
]
HELDOUT = [
    Family("model", {"rows": [3072], "cols": [2048, 5120]}, trials=12),
    Family("odd", {"rows": [1500], "cols": [700, 3333]}, trials=12),
    Family("wide", {"rows": [384], "cols": [16384]}, trials=12),
]

_KIT = KernelVerifier(Path(__file__).with_name("kernel.py"), SEARCH, HELDOUT)
cases = _KIT.cases
score = _KIT.score
combine = _KIT.combine
