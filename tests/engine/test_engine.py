"""End-to-end behaviour of the engine on real problems, with the process sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.archive.store import Archive
from adrs.engine.loop import SeedFailed
from adrs.engine.runner import start_run
from tests.conftest import PROBLEMS


def signature(db: str, run_id: str) -> list[tuple[object, ...]]:
    return [
        (p.seq, p.source_hash, p.state, p.status, p.score, p.reason)
        for p in Archive(db).programs(run_id)
    ]


def test_offline_run_improves_model_placement_and_archives_every_attempt(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    result = start_run(
        PROBLEMS / "model_placement", {"iterations": 80, "seed": 0, "executor": "inline"}, db=db
    )
    assert result.best_score is not None and result.seed_score is not None
    assert result.best_score < result.seed_score
    archive = Archive(db)
    programs = archive.programs(result.run_id)
    assert [p.seq for p in programs] == list(range(81))
    states = {p.state for p in programs}
    assert states <= {"evaluated", "rejected"}
    # Every proposal after the seed has its call (model `offline`) and its parent edge.
    for p in programs[1:]:
        calls = archive.calls(p.id)
        assert len(calls) == 1 and calls[0].model == "offline"
        assert "parent" in {e.kind for e in archive.lineage(p.id)}
    rejected = [p for p in programs if p.state == "rejected"]
    assert all(p.reason for p in rejected)
    best = archive.get_program(result.best_program_id or "")
    assert best.score == result.best_score and best.complete


def test_same_problem_seed_and_settings_give_the_same_archive(tmp_path: Path) -> None:
    settings = {"iterations": 40, "seed": 11, "executor": "inline", "evaluation_slots": 2}
    a, b = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    ra = start_run(PROBLEMS / "model_placement", settings, db=a)
    rb = start_run(PROBLEMS / "model_placement", settings, db=b)
    assert signature(a, ra.run_id) == signature(b, rb.run_id)
    other = f"sqlite:///{tmp_path / 'c.db'}"
    rc = start_run(PROBLEMS / "model_placement", {**settings, "seed": 12}, db=other)
    assert signature(other, rc.run_id) != signature(a, ra.run_id)


def test_misbehaving_children_do_not_stop_the_run(
    make_problem: Callable[..., Path], tmp_path: Path
) -> None:
    # The seed loops forever for large x only after mutation; the run must finish anyway.
    seed = """
import time
# EVOLVE-BLOCK-START
def solve(x):
    if x > 1000:
        while True:
            pass
    return x + x
# EVOLVE-BLOCK-END
"""
    root = make_problem(seed, timeout=1.0)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = start_run(root, {"iterations": 30, "seed": 1, "executor": "inline"}, db=db)
    assert result.stop_reason == "completed 30 iterations"
    statuses = {p.status for p in Archive(db).programs(result.run_id) if p.status}
    assert "ok" in statuses and len(statuses) > 1


def test_failing_seed_fails_the_run_with_its_reason(
    make_problem: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_problem(
        "# EVOLVE-BLOCK-START\ndef solve(x):\n    return 1 / 0\n# EVOLVE-BLOCK-END\n"
    )
    db = f"sqlite:///{tmp_path / 'f.db'}"
    with pytest.raises(SeedFailed, match="ZeroDivisionError"):
        start_run(root, {"iterations": 5, "executor": "inline"}, db=db)
    run = Archive(db).list_runs()[0]
    assert run.status == "failed" and "ZeroDivisionError" in (run.stop_reason or "")


def test_target_score_stops_the_run_early(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    result = start_run(
        PROBLEMS / "model_placement",
        {"iterations": 500, "target_score": 1.0, "executor": "inline"},
        db=db,
    )
    assert result.stop_reason.startswith("target score 1 reached")
    assert Archive(db).get_run(result.run_id).iterations < 50


def test_patience_stops_a_run_without_improvement(
    make_problem: Callable[..., Path], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    result = start_run(
        make_problem(), {"iterations": 300, "patience": 5, "executor": "inline"}, db=db
    )
    assert result.stop_reason == "no improvement in 5 admitted programs"
