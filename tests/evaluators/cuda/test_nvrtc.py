"""NVRTC compiles CUDA candidates without a GPU, and its errors come back as feedback."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluators.cuda import nvrtc
from evaluators.cuda.ptx import read_ptx
from tests.support.require import require

PROBLEMS = Path(__file__).resolve().parents[3] / "problems"
SEEDS = sorted(PROBLEMS.glob("cuda_*/initial.cu"))


@pytest.fixture(autouse=True)
def _compiler() -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")


@pytest.mark.parametrize("seed", SEEDS, ids=[p.parent.name for p in SEEDS])
def test_every_seed_kernel_compiles_to_ptx(seed: Path) -> None:
    compiled = nvrtc.compile_source(seed.read_text(), "compute_80")
    assert compiled.kind == "ptx" and compiled.data.startswith(b"//")
    assert read_ptx(compiled.data.decode()).entries


def test_real_architecture_gives_a_cubin() -> None:
    compiled = nvrtc.compile_source(
        'extern "C" __global__ void k(float* x) { x[0] = 1.f; }', "sm_90"
    )
    assert compiled.kind == "cubin" and compiled.data[:4] == b"\x7fELF"
    assert 90 in nvrtc.supported_archs()


def test_compile_error_carries_the_log_with_line_and_message() -> None:
    source = 'extern "C" __global__ void k(float* x) {\n  x[0] = undefined_name;\n}\n'
    with pytest.raises(nvrtc.CompileError) as info:
        nvrtc.compile_source(source, "compute_80")
    text = str(info.value)
    assert 'candidate.cu(2): error: identifier "undefined_name" is undefined' in text
    assert "1 error detected" in text


def test_long_logs_are_cut_to_a_prompt_sized_tail() -> None:
    body = "\n".join(f"  x[{i}] = missing_{i};" for i in range(400))
    source = f'extern "C" __global__ void k(float* x) {{\n{body}\n}}\n'
    with pytest.raises(nvrtc.CompileError) as info:
        nvrtc.compile_source(source, "compute_80")
    text = str(info.value)
    assert len(text) <= nvrtc.LOG_CHARS + 20 and text.endswith("[log truncated]")
    assert "missing_0" in text  # the first errors are kept


def test_half_precision_headers_are_found() -> None:
    source = (
        "#include <cuda_fp16.h>\n"
        'extern "C" __global__ void k(__half* x) { x[0] = __float2half(1.f); }'
    )
    assert nvrtc.compile_source(source, "compute_80").kind == "ptx"


def test_a_missing_library_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADRS_NVRTC", "/nonexistent/libnvrtc.so")
    nvrtc._library.cache_clear()
    try:
        assert "pip install 'adrs[cuda-compile]'" in (nvrtc.available() or "")
        with pytest.raises(nvrtc.CompilerUnavailable, match="NVRTC not found"):
            nvrtc.compile_source("", "compute_80")
    finally:
        monkeypatch.delenv("ADRS_NVRTC")
        nvrtc._library.cache_clear()
