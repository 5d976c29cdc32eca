"""`adrs run` refuses a GPU problem at once on a machine that cannot evaluate it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adrs.archive.store import Archive
from adrs.cli.main import main
from adrs.cuda.checks import cuda_device_missing
from adrs.engine.runner import refuse_unevaluable, resolve_settings, start_run
from adrs.errors import NotAvailableError
from adrs.problem.loader import load_problem
from tests.support.cuda_trials import PROBLEMS

SOFTMAX = PROBLEMS / "cuda_softmax"


@pytest.fixture(autouse=True)
def _no_gpu(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    cuda_device_missing.cache_clear()
    yield
    cuda_device_missing.cache_clear()


def test_run_refuses_before_anything_is_written(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with pytest.raises(NotAvailableError, match="cuda_softmax needs a CUDA GPU"):
        start_run(SOFTMAX, {"iterations": 2}, db=db)
    assert Archive(db).list_runs() == []


def test_the_cli_says_why_in_one_line_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", str(SOFTMAX), "--iterations", "2", "--db", str(tmp_path / "a.db")])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1
    assert err.startswith("adrs: error: cuda_softmax needs a CUDA GPU to evaluate programs")
    assert "--ray-address" in err


def test_a_run_on_a_ray_cluster_is_left_to_the_cluster() -> None:
    problem = load_problem(SOFTMAX)
    refuse_unevaluable(problem, resolve_settings(problem, {"ray_address": "10.0.0.1:6379"}))
    with pytest.raises(NotAvailableError):
        refuse_unevaluable(problem, resolve_settings(problem, {}))


def test_python_problems_are_not_refused() -> None:
    problem = load_problem(PROBLEMS / "model_placement")
    refuse_unevaluable(problem, resolve_settings(problem, {}))
