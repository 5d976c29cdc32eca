"""CUDA candidates through the real harness in the process sandbox, without a GPU.

Everything before the GPU runs for real: the job carries the kernel contract, the harness
screens and compiles the candidate with NVRTC, and its errors come back as the reason the
model is shown. Tampering verdicts from a verifier become the ``tampered`` status.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.cuda.checks import cuda_device_missing
from adrs.evaluation.evaluate import build_job, evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.loader import load_problem
from adrs.sandbox.process import ProcessSandbox
from evaluators.cuda import nvrtc
from tests.support.cuda_trials import PROBLEMS
from tests.support.require import require

SOFTMAX = PROBLEMS / "cuda_softmax"
SEED = (SOFTMAX / "initial.cu").read_text()


@pytest.fixture(autouse=True)
def _compiler() -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")


def evaluate(source: str) -> tuple[Status, str]:
    ev = evaluate_source(load_problem(SOFTMAX), source, ProcessSandbox())
    return ev.status, ev.reason


def test_the_job_carries_the_contract_and_marks_the_gpu() -> None:
    job = build_job(load_problem(SOFTMAX), SEED, [], "n" * 32)
    assert job.gpu and job.job["mode"] == "cuda" and job.job["language"] == "cuda"
    assert job.files["kernel.py"] == (SOFTMAX / "kernel.py").read_bytes()
    assert job.job["kernel"] == "kernel.py" and "candidate.cu" in job.files


def test_a_compile_error_comes_back_as_the_reason_with_the_compiler_log() -> None:
    status, reason = evaluate(SEED.replace("local_max = fmaxf(", "local_max = fmax_typo("))
    assert status is Status.ERROR
    assert reason.startswith("candidate failed to load: CompileError: candidate.cu(")
    assert 'identifier "fmax_typo" is undefined' in reason


def test_a_disallowed_include_is_rejected_in_the_sandbox() -> None:
    status, reason = evaluate('#include "/etc/passwd"\n' + SEED)
    assert status is Status.ERROR
    assert 'SourceRejected: line 1: #include "/etc/passwd" is not allowed' in reason


def test_a_kernel_with_another_signature_is_told_the_contract() -> None:
    status, reason = evaluate(SEED.replace("int rows, int cols)", "int rows, int cols, int extra)"))
    assert status is Status.ERROR and "ContractError: kernel softmax has parameters" in reason
    assert "const float* x, float* y, int rows, int cols" in reason


def test_the_seed_compiles_and_then_needs_the_gpu() -> None:
    if cuda_device_missing() is None:
        pytest.skip("this machine has a GPU; tests/evaluators/cuda/test_gpu_trials.py covers it")
    status, reason = evaluate(SEED)
    assert status is Status.ERROR and "GpuUnavailable" in reason


TAMPERING_VERIFIER = """
from evaluators.verdict import Tampered

def cases(split, seed):
    return [{"id": f"{split}-0", "input": {"x": 1}}]

def score(case, output):
    if output == "wrote-input":
        raise Tampered("the kernel modified its input buffers")
    return {"value": 0.0, "device_s": float(output)}
"""


def test_tampered_verdicts_and_impossible_device_time_are_tampered_status(
    make_problem: Callable[..., Path],
) -> None:
    root = make_problem(verifier=TAMPERING_VERIFIER)
    problem = load_problem(root)

    def run(answer: str) -> tuple[Status, str]:
        source = f"# EVOLVE-BLOCK-START\ndef solve(x):\n    return {answer}\n# EVOLVE-BLOCK-END\n"
        ev = evaluate_source(problem, source, ProcessSandbox())
        return ev.status, ev.reason

    assert run("'wrote-input'") == (
        Status.TAMPERED,
        "case search-0: the kernel modified its input buffers",
    )
    status, reason = run("'0.0'")
    assert status is Status.OK
    status, reason = run("'100.0'")  # 100 s of device time in a call that took milliseconds
    assert status is Status.TAMPERED and "claims 100.000 s of device time" in reason
