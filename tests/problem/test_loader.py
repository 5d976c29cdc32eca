"""Malformed problem folders: each defect gets its own precise one-line error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.errors import ProblemError
from adrs.problem.check import check_problem
from adrs.problem.loader import load_problem
from adrs.problem.scaffold import scaffold
from tests.conftest import PROBLEMS


def test_bundled_problem_loads_with_its_spec() -> None:
    p = load_problem(PROBLEMS / "model_placement")
    assert p.format == "native" and p.mode == "function"
    assert p.objective.metric == "max_kvpr" and p.objective.direction == "minimize"
    assert [s.name for s in p.spec.stages] == ["quick", "full"]
    assert len(p.digest) == 64


@pytest.mark.parametrize("missing", ["initial.py", "verifier.py", "prompt.md"])
def test_missing_file_is_named(make_problem: Callable[..., Path], missing: str) -> None:
    root = make_problem()
    (root / missing).unlink()
    with pytest.raises(ProblemError, match=rf"{missing}: missing file"):
        load_problem(root)


def test_not_a_problem_folder(tmp_path: Path) -> None:
    with pytest.raises(ProblemError, match="not a problem folder"):
        load_problem(tmp_path)
    with pytest.raises(ProblemError, match="no such directory"):
        load_problem(tmp_path / "nope")


def test_unbalanced_markers_in_seed(make_problem: Callable[..., Path]) -> None:
    root = make_problem("# EVOLVE-BLOCK-START\ndef solve(x):\n    return x\n")
    with pytest.raises(ProblemError, match=r"initial\.py: EVOLVE-BLOCK-START is never closed"):
        load_problem(root)


def test_verifier_without_score_is_reported(make_problem: Callable[..., Path]) -> None:
    root = make_problem(verifier="def cases(split, seed):\n    return []\n")
    with pytest.raises(ProblemError, match="defines no function 'score'"):
        _ = load_problem(root).verifier


def test_verifier_import_error_is_reported(make_problem: Callable[..., Path]) -> None:
    root = make_problem(verifier="import does_not_exist\n")
    with pytest.raises(ProblemError, match=r"verifier\.py: import failed: ModuleNotFoundError"):
        _ = load_problem(root).verifier


def test_bad_cases_are_reported(make_problem: Callable[..., Path]) -> None:
    verifier = (
        "def cases(split, seed):\n    return [{'id': 'a', 'input': {}}, "
        "{'id': 'a', 'input': {}}]\ndef score(c, o):\n    return {}\n"
    )
    root = make_problem(verifier=verifier)
    with pytest.raises(ProblemError, match="case id 'a' appears twice"):
        load_problem(root).verifier.cases("search", 0)


def test_peer_format_folder_loads_unverified(tmp_path: Path) -> None:
    (tmp_path / "initial_program.py").write_text("def f():\n    return 1\n")
    (tmp_path / "evaluator.py").write_text("def evaluate(p):\n    return {'combined_score': 1}\n")
    p = load_problem(tmp_path)
    assert p.format == "peer" and not p.independently_verified
    assert p.objective.metric == "combined_score" and p.objective.direction == "maximize"


def test_peer_folder_missing_evaluator(tmp_path: Path) -> None:
    (tmp_path / "initial_program.py").write_text("x = 1\n")
    with pytest.raises(ProblemError, match=r"evaluator\.py: missing file"):
        load_problem(tmp_path)


def test_check_reports_each_defect(make_problem: Callable[..., Path]) -> None:
    root = make_problem(
        seed="# EVOLVE-BLOCK-START\ndef other(x):\n    return x\n# EVOLVE-BLOCK-END\n"
    )
    report = check_problem(root, sandbox="process")
    assert not report.ok
    failed = [i for i in report.items if not i.ok]
    assert failed[0].name == "seed program" and "defines no function 'solve'" in failed[0].detail


def test_check_rejects_overlapping_splits(make_problem: Callable[..., Path]) -> None:
    verifier = (
        "def cases(split, seed):\n    return [{'id': split, 'input': {'x': 1}}]\n"
        "def score(c, o):\n    return {'value': 0.0}\n"
    )
    report = check_problem(make_problem(verifier=verifier), sandbox="process")
    assert any(i.name == "splits" and not i.ok for i in report.items)


def test_check_rejects_bad_prompt_template(make_problem: Callable[..., Path]) -> None:
    root = make_problem()
    (root / "prompt.md").write_text("{% if %}\n")
    report = check_problem(root, sandbox="process", evaluate=False)
    assert any(i.name == "prompt" and not i.ok and "syntax error" in i.detail for i in report.items)


def test_check_evaluates_the_seed_on_both_splits() -> None:
    report = check_problem(PROBLEMS / "model_placement", sandbox="process")
    assert report.ok
    seeds = {i.name: i for i in report.items if i.name.startswith("seed on")}
    assert set(seeds) == {"seed on search", "seed on heldout"}
    search = seeds["seed on search"].metrics
    assert search["lower_bound"] < search["max_kvpr"] < search["round_robin_kvpr"]


def test_scaffolded_problem_passes_its_own_check(tmp_path: Path) -> None:
    root = scaffold("sorting", tmp_path)
    report = check_problem(root, sandbox="process")
    assert report.ok, report.to_dict()
    with pytest.raises(ProblemError, match="already exists"):
        scaffold("sorting", tmp_path)


def test_the_scaffolded_driver_template_works_once_renamed(tmp_path: Path) -> None:
    root = scaffold("sorting", tmp_path)
    assert load_problem(root).mode == "function"  # the example alone changes nothing
    (root / "driver.py.example").rename(root / "driver.py")
    problem = load_problem(root)
    assert problem.mode == "driver"
    report = check_problem(root, sandbox="process")
    assert report.ok, report.to_dict()
    assert any(i.name == "driver.py" and i.ok for i in report.items)
