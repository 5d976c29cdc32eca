"""Host-side checks for CUDA problems: compile the seed without a GPU, and find the GPU.

``check_cuda_seed`` is ``adrs problems check``'s seed check for ``language = "cuda"``: it
loads the kernel contract, screens and compiles the seed to PTX with NVRTC (no GPU
needed) and reads its launch knobs. ``gpu_probe`` says why GPU problems cannot be
evaluated on this machine, so that ``adrs run`` refuses them at once.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import os

from adrs.problem.loader import Problem

LOG_LINES = 3


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and set(ln.strip()) != {"^"}]
    return " | ".join(lines[:LOG_LINES])


def check_cuda_seed(problem: Problem) -> tuple[list[str], str]:
    """Defects of a CUDA problem's seed and contract, and a note on what was checked."""
    from evaluators.cuda import nvrtc
    from evaluators.cuda.contract import ContractError, load_contract
    from evaluators.cuda.screen import SourceRejected
    from evaluators.cuda.session import compile_checked

    kernel = problem.kernel_path
    seed = problem.seed_path
    if kernel is None:
        return [f"{seed}: not a CUDA problem"], ""
    defects = []
    if not problem.spec.sandbox.gpu:
        toml = problem.root / "problem.toml"
        defects.append(f"{toml}: a CUDA problem needs [sandbox] gpu = true")
    try:
        contract = load_contract(str(kernel))
    except ContractError as exc:
        return [*defects, str(exc)], ""
    except Exception as exc:  # the problem author's code may raise anything on import
        return [*defects, f"{kernel}: import failed: {type(exc).__name__}: {exc}"], ""
    if problem.spec.entry is not None and problem.spec.entry != contract.entry:
        defects.append(
            f"{problem.root / 'problem.toml'}: entry {problem.spec.entry!r} is not the "
            f"contract's kernel {contract.entry!r}"
        )
    missing = nvrtc.available()
    if missing is not None:
        return defects, f"{seed}: not compiled ({missing})"
    try:
        _compiled, knobs = compile_checked(problem.seed_source, contract, seed.name)
    except SourceRejected as exc:
        return [*defects, f"{seed}: {exc}"], ""
    except nvrtc.CompileError as exc:
        return [*defects, f"{seed}: does not compile: {_one_line(str(exc))}"], ""
    except ContractError as exc:
        return [*defects, f"{seed}: {exc}"], ""
    major, minor = nvrtc.version()
    shown = ", ".join(f"{k}={v}" for k, v in knobs.items())
    note = (
        f"{seed.name} compiles to PTX for {contract.arch} (NVRTC {major}.{minor}); "
        f"{contract.entry}() matches the contract; knobs {shown}"
    )
    return defects, note


@functools.cache
def cuda_device_missing() -> str | None:
    """None when the NVIDIA driver sees at least one GPU here, else why not."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return "CUDA_VISIBLE_DEVICES hides every GPU"
    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return "no NVIDIA driver on this machine (libcuda.so.1 not found)"
    code = driver.cuInit(0)
    if code != 0:
        return f"the NVIDIA driver found no usable GPU (cuInit returned {code})"
    count = ctypes.c_int()
    if driver.cuDeviceGetCount(ctypes.byref(count)) != 0 or count.value < 1:
        return "the NVIDIA driver reports no GPU"
    return None


def gpu_probe(problem: Problem) -> str | None:
    """Why ``problem`` cannot be evaluated on this machine, or None (not a GPU problem, or
    a GPU, CuPy and NVRTC are all here)."""
    if not (problem.spec.sandbox.gpu or problem.spec.language == "cuda"):
        return None
    missing = cuda_device_missing()
    if missing is None and importlib.util.find_spec("cupy") is None:
        missing = "CuPy is not installed (pip install 'adrs[cuda]')"
    if missing is None:
        from evaluators.cuda import nvrtc

        missing = nvrtc.available()
    if missing is None:
        return None
    return f"{problem.name} needs a CUDA GPU to evaluate programs: {missing}"
