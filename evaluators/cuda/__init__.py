"""The CUDA kernel kit: compile, run and verify GPU kernels written in CUDA C++.

A CUDA candidate is *device code only*: an ``extern "C" __global__`` kernel with the
problem's fixed signature plus ``__constant__ int`` launch knobs. The sandbox's harness
compiles it with NVRTC, launches it on fresh inputs and times it with CUDA events
(``device.py``, the only module that needs CuPy and a GPU); it writes raw facts per trial.
The host's verifier (``verify.py``) regenerates every trial's inputs from its seed and
decides correctness and every hardening verdict. Everything except ``device.py`` imports
with the standard library and NumPy alone.
"""
