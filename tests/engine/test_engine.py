"""End-to-end behaviour of the engine on real problems, with the process sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.archive.store import Archive, CallRecord
from adrs.engine import runner
from adrs.engine.loop import SeedFailed
from adrs.engine.runner import start_run
from adrs.mutate.base import MutationRequest, Proposal
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


# One child per way a candidate can misbehave, each a rewrite of the evolvable region:
# (body, status, words its reason must contain).
MISBEHAVING = [
    ("def solve(x):\n    raise ValueError('boom')\n", {"error"}, "raised ValueError: boom"),
    ("def solve(x):\n    while True:\n        pass\n", {"timeout"}, "limit of"),
    (
        "def solve(x):\n    hog = []\n    while True:\n        hog.append(bytearray(10**8))\n",
        {"memory"},
        "memory limit",
    ),
    (
        "import os, time\n\ndef solve(x):\n    while True:\n        try:\n"
        "            os.fork()\n        except OSError:\n            time.sleep(0.01)\n",
        {"timeout", "error"},
        "",
    ),
    ("def solve(x):\n    while True:\n        print('x' * 1000)\n", {"output_limit"}, "stdout"),
    ("def solve(x):\n    return 'twice'\n", {"invalid_output"}, "expected a number, got str"),
    ("def solve(x):\n    return 2 * x\n", {"ok"}, ""),
]


class ScriptedRewrites:
    """Answers proposal ``seq`` with a full rewrite into ``MISBEHAVING[seq - 1]``."""

    name = "scripted"
    deterministic = True

    async def propose(self, request: MutationRequest) -> Proposal:
        body = MISBEHAVING[request.seq - 1][0]
        response = f"```python\n{body}```\n"
        return Proposal(response, CallRecord(model="scripted", response=response))


def test_each_misbehaving_child_gets_its_status_and_reason_and_the_run_goes_on(
    make_problem: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        runner, "make_mutator", lambda _models, _settings: (ScriptedRewrites(), "scripted")
    )
    db = f"sqlite:///{tmp_path / 'bad.db'}"
    result = start_run(
        make_problem(timeout=3),
        {"iterations": len(MISBEHAVING), "executor": "inline", "evaluation_slots": 2},
        db=db,
    )
    assert result.stop_reason == f"completed {len(MISBEHAVING)} iterations"
    programs = Archive(db).programs(result.run_id)[1:]
    assert [p.seq for p in programs] == list(range(1, len(MISBEHAVING) + 1))
    for program, (body, statuses, words) in zip(programs, MISBEHAVING, strict=True):
        assert program.state == "evaluated", (body, program.reason)
        assert program.status in statuses, (body, program.status, program.reason)
        assert words in (program.reason or ""), (body, program.reason)
        assert program.status == "ok" or program.reason
    # The last child, after every failure, was evaluated and scored like any other.
    assert programs[-1].score == 0.0 and programs[-1].complete


def test_a_wall_time_limit_stops_proposals_and_lets_evaluations_finish(
    make_problem: Callable[..., Path], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    result = start_run(
        make_problem(), {"iterations": 100_000, "max_wall_s": 3, "executor": "inline"}, db=db
    )
    assert result.stop_reason == "wall-time limit of 3 s reached"
    archive = Archive(db)
    assert archive.get_run(result.run_id).status == "stopped"
    assert {e.message for e in archive.events(result.run_id) if e.kind == "stop"} == {
        result.stop_reason
    }
    # Nothing was left half done: every proposal is evaluated or rejected.
    assert {p.state for p in archive.programs(result.run_id)} <= {"evaluated", "rejected"}
