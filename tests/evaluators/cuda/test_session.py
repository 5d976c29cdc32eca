"""The harness's CUDA mode: everything up to the GPU, and the validation of case inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from adrs.cuda.checks import cuda_device_missing
from evaluators.cuda import nvrtc
from evaluators.cuda.contract import ContractError
from evaluators.cuda.device import GpuUnavailable
from evaluators.cuda.screen import SourceRejected
from evaluators.cuda.session import KernelSession, case_plan
from tests.support.cuda_trials import PROBLEMS, contract
from tests.support.require import require

SOFTMAX = contract("cuda_softmax")
KERNEL = str(PROBLEMS / "cuda_softmax" / "kernel.py")
SEED = (PROBLEMS / "cuda_softmax" / "initial.cu").read_text()


def session(tmp_path: Path, source: str) -> KernelSession:
    path = tmp_path / "candidate.cu"
    path.write_text(source)
    return KernelSession(str(path), KERNEL)


def test_case_plan_accepts_a_verifier_case() -> None:
    plan = case_plan({"dims": {"rows": [4], "cols": [8, 9]}, "trials": 3}, SOFTMAX)
    assert plan == {
        "dims": {"rows": [4], "cols": [8, 9]},
        "trials": 3,
        "warmup": 2,
        "check_rows": 8,
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ({"dims": {"rows": [4]}}, "must give choices for dims"),
        ({"dims": {"rows": [4], "cols": [0]}}, "choices must be positive integers"),
        ({"dims": {"rows": [4], "cols": [8]}, "trials": 0}, "trials must be in"),
        ({"dims": {"rows": [4], "cols": [8]}, "check_rows": 100}, "check_rows must be in"),
    ],
)
def test_case_plan_rejects_malformed_cases(case: dict[str, object], message: str) -> None:
    with pytest.raises(ContractError, match=message):
        case_plan(case, SOFTMAX)


def test_a_compile_error_stops_loading_before_the_gpu(tmp_path: Path) -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")
    with pytest.raises(nvrtc.CompileError, match="error: expected a"):
        session(tmp_path, SEED.replace("const int row =", "const int row = ;"))


def test_a_disallowed_include_is_rejected_before_compiling(tmp_path: Path) -> None:
    with pytest.raises(SourceRejected, match=r"#include <stdlib.h> is not allowed"):
        session(tmp_path, "#include <stdlib.h>\n" + SEED)


def test_a_kernel_breaking_the_contract_is_rejected_before_the_gpu(tmp_path: Path) -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")
    with pytest.raises(ContractError, match="no kernel named softmax"):
        session(tmp_path, SEED.replace("void softmax(", "void softmax2("))


def test_without_a_gpu_loading_ends_with_why(tmp_path: Path) -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")
    if cuda_device_missing() is None:
        pytest.skip("this machine has a GPU; tests/evaluators/cuda/test_gpu_trials.py covers it")
    with pytest.raises(GpuUnavailable, match=r"CuPy is not installed|no usable CUDA device"):
        session(tmp_path, SEED)
