"""The CUDA problems load and check on a machine without a GPU."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from adrs.errors import ProblemError
from adrs.problem.check import check_problem
from adrs.problem.loader import load_problem
from evaluators.cuda import nvrtc
from tests.support.cuda_trials import PROBLEMS
from tests.support.require import require

NAMES = ["cuda_softmax", "cuda_layernorm", "cuda_matmul"]


@pytest.fixture(autouse=True)
def _no_gpu(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hide any GPU, so the checks below behave the same on every machine."""
    from adrs.cuda.checks import cuda_device_missing

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    cuda_device_missing.cache_clear()
    yield
    cuda_device_missing.cache_clear()


def copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(PROBLEMS / name, tmp_path / name))


@pytest.mark.parametrize("name", NAMES)
def test_cuda_problems_load_as_gpu_problems_in_cuda_mode(name: str) -> None:
    problem = load_problem(PROBLEMS / name)
    assert problem.spec.language == "cuda" and problem.spec.sandbox.gpu
    assert problem.mode == "cuda" and problem.seed_path.name == "initial.cu"
    assert problem.kernel_path == PROBLEMS / name / "kernel.py"
    assert problem.spec.settings["evaluation_slots"] == 1


@pytest.mark.parametrize("name", NAMES)
def test_check_compiles_the_seed_and_says_evaluation_needs_a_gpu(name: str) -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")
    report = check_problem(PROBLEMS / name)
    assert report.ok, report.to_dict()
    items = {i.name: i.detail for i in report.items}
    assert "compiles to PTX for compute_80" in items["seed program"]
    assert "matches the contract" in items["seed program"]
    assert items["evaluation"].startswith(f"skipped: {name} needs a CUDA GPU")
    assert "CUDA_VISIBLE_DEVICES hides every GPU" in items["evaluation"]


def test_a_seed_that_does_not_compile_fails_the_check_in_one_line(tmp_path: Path) -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")
    root = copy("cuda_softmax", tmp_path)
    seed = root / "initial.cu"
    seed.write_text(seed.read_text().replace("fmaxf(local_max", "fmaxf(locl_max"))
    report = check_problem(root)
    failed = next(i for i in report.items if not i.ok)
    assert failed.name == "seed program"
    assert "initial.cu: does not compile: initial.cu(" in failed.detail
    assert 'identifier "locl_max" is undefined' in failed.detail and "\n" not in failed.detail


def test_a_cuda_problem_without_its_contract_is_rejected(tmp_path: Path) -> None:
    root = copy("cuda_softmax", tmp_path)
    (root / "kernel.py").unlink()
    with pytest.raises(ProblemError, match=r"kernel\.py: missing file"):
        load_problem(root)


def test_a_cuda_problem_must_ask_for_a_gpu_and_name_the_contract_kernel(tmp_path: Path) -> None:
    root = copy("cuda_softmax", tmp_path)
    toml = root / "problem.toml"
    text = toml.read_text().replace("gpu = true", "gpu = false")
    toml.write_text(text.replace('language = "cuda"', 'language = "cuda"\nentry = "soft_max"'))
    report = check_problem(root, evaluate=False)
    detail = next(i.detail for i in report.items if i.name == "seed program")
    assert "a CUDA problem needs [sandbox] gpu = true" in detail
    assert "entry 'soft_max' is not the contract's kernel 'softmax'" in detail
