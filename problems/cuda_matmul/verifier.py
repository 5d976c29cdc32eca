"""Trusted verifier for cuda_matmul: the CUDA kit judges each trial the harness ran.

Every trial has fresh inputs from a seed drawn in the sandbox; the kit regenerates them
here, checks sampled rows of ``c`` against float64 NumPy and applies the hardening checks
(evaluators/cuda/verify.py). Sizes include ones that are not multiples of any tile.
"""

from pathlib import Path

from evaluators.cuda.verify import Family, KernelVerifier

SEARCH = [
    Family("square", {"m": [1024, 2048], "n": [1024, 2048], "k": [1024, 2048]}, trials=8),
    Family("ragged", {"m": [1000, 1999], "n": [1000, 1500], "k": [1000, 2047]}, trials=8),
    Family("skinny", {"m": [4096, 8192], "n": [256, 512], "k": [1024]}, trials=8),
]
HELDOUT = [
    Family("square", {"m": [3072], "n": [3072], "k": [1536]}, trials=8),
    Family("ragged", {"m": [1234], "n": [777], "k": [3001]}, trials=8),
    Family("skinny", {"m": [6144], "n": [384], "k": [2048]}, trials=8),
]

_KIT = KernelVerifier(Path(__file__).with_name("kernel.py"), SEARCH, HELDOUT)
cases = _KIT.cases
score = _KIT.score
combine = _KIT.combine
