"""NVRTC through ctypes: compile CUDA C++ to PTX (no GPU needed) or to a device's CUBIN.

The library and the CUDA headers are found in the ``nvidia-cuda-nvrtc-cu12`` and
``nvidia-cuda-runtime-cu12`` wheels (the ``cuda-compile`` extra), or in a CUDA toolkit
(``ADRS_NVRTC`` names the library explicitly). Compilation errors come back as
:class:`CompileError` carrying NVRTC's log, which is what the model is shown.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import glob
import os
import sys
from dataclasses import dataclass

LOG_CHARS = 6000
STD = "-std=c++17"


class CompileError(Exception):
    """The source did not compile; the message is NVRTC's log."""


class CompilerUnavailable(Exception):
    """No NVRTC library (or no CUDA headers) on this machine; the message says what to install."""


def _wheel_dirs(sub: str) -> list[str]:
    """``nvidia/<pkg>/<sub>`` folders of the NVIDIA wheels importable from this Python."""
    found: list[str] = []
    for entry in sys.path:
        base = os.path.join(entry or ".", "nvidia")
        if os.path.isdir(base):
            found.extend(sorted(glob.glob(os.path.join(base, "*", sub))))
    return found


def _toolkit_dirs(sub: str) -> list[str]:
    roots = [os.environ.get(k, "") for k in ("CUDA_HOME", "CUDA_PATH")] + ["/usr/local/cuda"]
    return [os.path.join(r, sub) for r in roots if r and os.path.isdir(os.path.join(r, sub))]


def _library_candidates() -> list[str]:
    explicit = os.environ.get("ADRS_NVRTC")
    if explicit:
        return [explicit]
    names: list[str] = []
    for folder in _wheel_dirs("lib") + _toolkit_dirs("lib64"):
        for path in sorted(glob.glob(os.path.join(folder, "libnvrtc.so*")), reverse=True):
            if "builtins" not in path and ".alt." not in path:
                names.append(path)
    system = ctypes.util.find_library("nvrtc")
    if system:
        names.append(system)
    return names


def include_dirs() -> list[str]:
    """Folders holding ``cuda_fp16.h`` and the other device headers NVRTC may include."""
    dirs = [d for d in _wheel_dirs("include") if os.path.isfile(os.path.join(d, "cuda_fp16.h"))]
    dirs += [d for d in _toolkit_dirs("include") if os.path.isfile(os.path.join(d, "cuda_fp16.h"))]
    return dirs


@functools.cache
def _library() -> ctypes.CDLL:
    tried = _library_candidates()
    for path in tried:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        _declare(lib)
        return lib
    raise CompilerUnavailable(
        "NVRTC not found (install the 'cuda-compile' extra: pip install 'adrs[cuda-compile]', "
        "or set ADRS_NVRTC to libnvrtc.so)"
    )


def _declare(lib: ctypes.CDLL) -> None:
    p, c = ctypes.POINTER, ctypes.c_char_p
    size = p(ctypes.c_size_t)
    sigs = {
        "nvrtcVersion": [p(ctypes.c_int), p(ctypes.c_int)],
        "nvrtcCreateProgram": [p(ctypes.c_void_p), c, c, ctypes.c_int, p(c), p(c)],
        "nvrtcCompileProgram": [ctypes.c_void_p, ctypes.c_int, p(c)],
        "nvrtcGetProgramLogSize": [ctypes.c_void_p, size],
        "nvrtcGetProgramLog": [ctypes.c_void_p, c],
        "nvrtcGetPTXSize": [ctypes.c_void_p, size],
        "nvrtcGetPTX": [ctypes.c_void_p, c],
        "nvrtcGetCUBINSize": [ctypes.c_void_p, size],
        "nvrtcGetCUBIN": [ctypes.c_void_p, c],
        "nvrtcDestroyProgram": [p(ctypes.c_void_p)],
        "nvrtcGetNumSupportedArchs": [p(ctypes.c_int)],
        "nvrtcGetSupportedArchs": [p(ctypes.c_int)],
    }
    for name, args in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes = args
        fn.restype = ctypes.c_int
    lib.nvrtcGetErrorString.argtypes = [ctypes.c_int]
    lib.nvrtcGetErrorString.restype = ctypes.c_char_p


def available() -> str | None:
    """None when NVRTC and the CUDA headers are usable here, else why not."""
    try:
        _library()
    except CompilerUnavailable as exc:
        return str(exc)
    if not include_dirs():
        return "CUDA headers not found (install nvidia-cuda-runtime-cu12: the 'cuda-compile' extra)"
    return None


def version() -> tuple[int, int]:
    lib = _library()
    major, minor = ctypes.c_int(), ctypes.c_int()
    _check(lib, lib.nvrtcVersion(ctypes.byref(major), ctypes.byref(minor)), "nvrtcVersion")
    return major.value, minor.value


def supported_archs() -> list[int]:
    """The real architectures (``sm_XY`` as ``XY``) this NVRTC can emit CUBIN for."""
    lib = _library()
    count = ctypes.c_int()
    _check(lib, lib.nvrtcGetNumSupportedArchs(ctypes.byref(count)), "nvrtcGetNumSupportedArchs")
    archs = (ctypes.c_int * count.value)()
    _check(lib, lib.nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs")
    return list(archs)


def _check(lib: ctypes.CDLL, code: int, what: str) -> None:
    if code != 0:
        text = lib.nvrtcGetErrorString(code) or b"unknown error"
        raise CompilerUnavailable(f"{what} failed: {text.decode(errors='replace')}")


@dataclass(frozen=True)
class Compiled:
    """What one compilation produced: PTX text or CUBIN bytes, and the compiler's log."""

    kind: str  # "ptx" | "cubin"
    arch: str
    data: bytes
    log: str


def compile_source(source: str, arch: str, name: str = "candidate.cu") -> Compiled:
    """Compile ``source`` for ``arch``: ``compute_XY`` gives PTX, ``sm_XY`` gives CUBIN."""
    lib = _library()
    includes = include_dirs()
    if not includes:
        raise CompilerUnavailable(available() or "CUDA headers not found")
    kind = "cubin" if arch.startswith("sm_") else "ptx"
    prog = ctypes.c_void_p()
    _check(
        lib,
        lib.nvrtcCreateProgram(
            ctypes.byref(prog), source.encode("utf-8"), name.encode(), 0, None, None
        ),
        "nvrtcCreateProgram",
    )
    try:
        options = [f"--gpu-architecture={arch}", STD, "--no-source-include"]
        options += [f"-I{d}" for d in includes]
        encoded = [o.encode() for o in options]
        argv = (ctypes.c_char_p * len(encoded))(*encoded)
        status = lib.nvrtcCompileProgram(prog, len(encoded), argv)
        log = _log(lib, prog)
        if status != 0:
            raise CompileError(_trim(log) or lib.nvrtcGetErrorString(status).decode())
        size = ctypes.c_size_t()
        if kind == "ptx":
            _check(lib, lib.nvrtcGetPTXSize(prog, ctypes.byref(size)), "nvrtcGetPTXSize")
            buf = ctypes.create_string_buffer(size.value)
            _check(lib, lib.nvrtcGetPTX(prog, buf), "nvrtcGetPTX")
            data = buf.raw.rstrip(b"\0")
        else:
            _check(lib, lib.nvrtcGetCUBINSize(prog, ctypes.byref(size)), "nvrtcGetCUBINSize")
            buf = ctypes.create_string_buffer(size.value)
            _check(lib, lib.nvrtcGetCUBIN(prog, buf), "nvrtcGetCUBIN")
            data = buf.raw
        return Compiled(kind=kind, arch=arch, data=data, log=log)
    finally:
        lib.nvrtcDestroyProgram(ctypes.byref(prog))


def _log(lib: ctypes.CDLL, prog: ctypes.c_void_p) -> str:
    size = ctypes.c_size_t()
    if lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size)) != 0 or size.value <= 1:
        return ""
    buf = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetProgramLog(prog, buf)
    return buf.value.decode("utf-8", errors="replace")


def _trim(log: str) -> str:
    """The log without blank lines, cut to a size a prompt can carry."""
    lines = [ln for ln in log.splitlines() if ln.strip()]
    text = "\n".join(lines)
    return text if len(text) <= LOG_CHARS else text[:LOG_CHARS] + "\n[log truncated]"
