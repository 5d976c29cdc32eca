"""Finding the GPU, and saying precisely why a GPU problem cannot be evaluated here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adrs.cuda.checks import cuda_device_missing, gpu_probe
from adrs.problem.loader import load_problem
from tests.support.cuda_trials import PROBLEMS

REPO_PROBLEMS = PROBLEMS


@pytest.fixture
def fresh_probe() -> Iterator[None]:
    cuda_device_missing.cache_clear()
    yield
    cuda_device_missing.cache_clear()


def test_python_problems_need_no_gpu() -> None:
    assert gpu_probe(load_problem(REPO_PROBLEMS / "model_placement")) is None


@pytest.mark.usefixtures("fresh_probe")
@pytest.mark.parametrize("hidden", ["", "-1"])
def test_hidden_gpus_are_reported(monkeypatch: pytest.MonkeyPatch, hidden: str) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", hidden)
    why = gpu_probe(load_problem(REPO_PROBLEMS / "cuda_matmul"))
    assert why == (
        "cuda_matmul needs a CUDA GPU to evaluate programs: CUDA_VISIBLE_DEVICES hides every GPU"
    )


@pytest.mark.usefixtures("fresh_probe")
def test_the_probe_agrees_with_the_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    why = cuda_device_missing()
    if why is None:
        pytest.skip("this machine has a GPU")
    # Without a GPU the driver library is either absent or reports no device.
    assert "libcuda.so.1 not found" in why or "no usable GPU" in why or "no GPU" in why
