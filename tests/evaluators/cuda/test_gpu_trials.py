"""On a GPU: the seeds evaluate correctly, and kernels that cheat are caught.

These need an NVIDIA GPU, its driver and CuPy (``pip install 'adrs[cuda]'``). A GPU is
hardware no CI machine of this project has, so without one they skip everywhere, CI
included; the checks they exercise on the host are covered without a GPU by
``test_verify.py`` on NumPy-computed outputs.
"""

from __future__ import annotations

import importlib.util

import pytest

from adrs.cuda.checks import cuda_device_missing
from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.loader import load_problem
from adrs.problem.spec import Stage
from adrs.sandbox.process import ProcessSandbox
from evaluators.cuda import nvrtc
from tests.support.cuda_trials import PROBLEMS

pytestmark = pytest.mark.gpu
QUICK = (Stage("quick", "search", cases=1),)


@pytest.fixture(autouse=True)
def _gpu() -> None:
    missing = cuda_device_missing() or nvrtc.available()
    if missing is None and importlib.util.find_spec("cupy") is None:
        missing = "CuPy is not installed"
    if missing is not None:
        pytest.skip(f"needs a GPU: {missing}")


def evaluate(name: str, source: str | None = None) -> tuple[Status, str, dict[str, float]]:
    problem = load_problem(PROBLEMS / name)
    ev = evaluate_source(problem, source or problem.seed_source, ProcessSandbox(), QUICK)
    return ev.status, ev.reason, ev.metrics


@pytest.mark.parametrize("name", ["cuda_softmax", "cuda_layernorm", "cuda_matmul"])
def test_seed_kernels_are_correct_on_fresh_inputs_and_timed(name: str) -> None:
    status, reason, metrics = evaluate(name)
    assert status is Status.OK, reason
    assert metrics["speedup"] > 0 and metrics["kernel_ms"] > 0
    assert metrics["worst_error"] <= 1.0


def softmax_with(old: str, new: str) -> str:
    seed = (PROBLEMS / "cuda_softmax" / "initial.cu").read_text()
    assert old in seed
    return seed.replace(old, new)


def test_a_kernel_writing_its_input_is_tampered() -> None:
    source = softmax_with(
        'extern "C" __global__ void softmax(const float* x,',
        'extern "C" __global__ void softmax(const float* x_in,',
    ).replace(
        "  __shared__ float scratch[kThreads];",
        "  __shared__ float scratch[kThreads];\n"
        "  float* x = const_cast<float*>(x_in);\n"
        "  if (blockIdx.x == 0 && threadIdx.x == 0) x[0] += 1.0f;",
    )
    status, reason, _ = evaluate("cuda_softmax", source)
    assert status is Status.TAMPERED and "modified its input buffers" in reason


def test_a_kernel_skipping_the_last_column_is_caught_by_the_poison() -> None:
    source = softmax_with(
        "for (int c = threadIdx.x; c < cols; c += kThreads) out[c]",
        "for (int c = threadIdx.x; c < cols - 1; c += kThreads) out[c]",
    )
    status, reason, _ = evaluate("cuda_softmax", source)
    assert status is Status.INVALID_OUTPUT and "were not written by this call" in reason


def test_a_kernel_reusing_its_previous_output_is_caught_by_the_poison() -> None:
    source = softmax_with(
        'extern "C" __global__ void softmax(',
        '__device__ int calls = 0;\nextern "C" __global__ void softmax(',
    ).replace(
        "  __shared__ float scratch[kThreads];",
        '  __shared__ float scratch[kThreads];\n  if (calls > 2) return;  // "cached"\n'
        "  if (blockIdx.x == 0 && threadIdx.x == 0) atomicAdd(&calls, 1);",
    )
    status, reason, _ = evaluate("cuda_softmax", source)
    assert status is Status.INVALID_OUTPUT and "were not written by this call" in reason


def test_a_kernel_writing_past_its_output_is_tampered() -> None:
    source = softmax_with(
        "  __shared__ float scratch[kThreads];",
        "  __shared__ float scratch[kThreads];\n"
        "  if (blockIdx.x == 0) y[(size_t)rows * cols + threadIdx.x] = 0.0f;",
    )
    status, reason, _ = evaluate("cuda_softmax", source)
    assert status is Status.TAMPERED and "outside its output buffer" in reason


def test_a_wrong_kernel_is_invalid_with_the_row_and_values() -> None:
    source = softmax_with("* inverse;", "* inverse * 1.01f;")
    status, reason, _ = evaluate("cuda_softmax", source)
    assert status is Status.INVALID_OUTPUT and "wrong result in row" in reason
