"""The archive behaves the same on SQLite and PostgreSQL: schema, writes, reads, resume."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.archive.store import Archive, CallRecord, ProgramRecord, check_metadata_matches, new_id
from adrs.engine.runner import resume_run, start_run
from adrs.errors import ArchiveError
from adrs.evaluation.evaluate import Evaluation, StageResult
from adrs.evaluation.status import ProgramState, Status


def make_run(archive: Archive) -> str:
    return archive.create_run(
        problem_name="toy",
        problem_path="/problems/toy",
        problem_digest="d" * 64,
        objective_metric="value",
        objective_direction="maximize",
        settings={"iterations": 3},
        status="running",
        verified=True,
        sandbox_backend="process",
        executor="inline",
        seed=0,
        host="here",
        version="0",
        iterations=0,
        evaluations=0,
        cost_usd=0.0,
        tokens_in=0,
        tokens_out=0,
    )


def program(
    run_id: str, seq: int, parent: str | None = None, source: str = "x = 1"
) -> ProgramRecord:
    return ProgramRecord(
        id=new_id(),
        run_id=run_id,
        seq=seq,
        island=0,
        generation=0 if parent is None else 1,
        source=source,
        source_hash=f"h{seq}",
        language="python",
        state=str(ProgramState.PENDING),
        parent_id=parent,
    )


def evaluation(score: float, stdout: str = "", case_error: str = "") -> Evaluation:
    case = {
        "id": "c0",
        "metrics": {"value": score},
        **({"error": case_error} if case_error else {}),
    }
    stage = StageResult(
        stage="full",
        split="search",
        status=Status.OK,
        reason="",
        metrics={"value": score},
        score=score,
        cases=[case],
        stdout=stdout,
        backend="process",
        wall_s=0.1,
        exit_code=0,
        limits={"timeout_s": 1.0},
    )
    return Evaluation(stages=[stage], complete=True)


def test_migrations_create_exactly_the_models_schema(archive_url: str) -> None:
    archive = Archive(archive_url)
    assert check_metadata_matches(archive.engine) == []
    Archive(archive_url)  # a second open finds the schema current and changes nothing


def test_programs_calls_lineage_and_evaluations_round_trip(archive_url: str) -> None:
    archive = Archive(archive_url)
    run_id = make_run(archive)
    seed = program(run_id, 0)
    archive.add_program(seed)
    archive.record_evaluation(seed.id, run_id, evaluation(1.0), best=(seed.id, 1.0))
    child = program(run_id, 2, parent=seed.id, source="x = 2")
    call = CallRecord(model="offline", prompt="p", response="r", tokens_in=5, cost_usd=0.25)
    archive.add_program(child, call, [(seed.id, "parent"), (seed.id, "inspiration")])
    archive.record_evaluation(child.id, run_id, evaluation(3.0), best=(child.id, 3.0))
    rejected = program(run_id, 1, parent=seed.id, source="x = 1")
    archive.reject_program(rejected, CallRecord(model="offline"), [(seed.id, "parent")], "no-op")

    run = archive.get_run(run_id[:6])
    assert (run.iterations, run.evaluations, run.best_score) == (2, 2, 3.0)
    assert run.cost_usd == pytest.approx(0.25) and run.tokens_in == 5
    assert [p.seq for p in archive.programs(run_id)] == [0, 1, 2]
    assert [p.id for p in archive.best_programs(run_id, "maximize")] == [child.id, seed.id]
    assert [p.id for p in archive.best_programs(run_id, "minimize")] == [seed.id, child.id]
    assert archive.status_counts(run_id) == {"ok": 2, "rejected": 1}
    assert archive.get_program(child.id[:10]).score == 3.0
    assert {(e.parent_id, e.kind) for e in archive.lineage(child.id)} == {
        (seed.id, "parent"),
        (seed.id, "inspiration"),
    }
    assert [c.response for c in archive.calls(child.id)] == ["r"]
    (stored,) = archive.evaluations(child.id)
    assert stored.cases == [{"id": "c0", "metrics": {"value": 3.0}}]
    assert stored.limits == {"timeout_s": 1.0}


def test_text_with_nul_characters_is_stored_on_every_backend(archive_url: str) -> None:
    archive = Archive(archive_url)
    run_id = make_run(archive)
    seed = program(run_id, 0)
    archive.add_program(seed, CallRecord(model="m", response="before\x00after"))
    archive.record_evaluation(seed.id, run_id, evaluation(1.0, "out\x00put", "bad\x00case"))
    (stored,) = archive.evaluations(seed.id)
    assert stored.stdout_tail == "out\ufffdput"
    assert stored.cases[0]["error"] == "bad\x00case"  # JSON escapes it
    assert archive.calls(seed.id)[0].response == "before\ufffdafter"


def test_a_run_resumes_with_more_iterations(
    archive_url: str, make_problem: Callable[..., Path]
) -> None:
    root = make_problem()
    settings = {"iterations": 4, "executor": "inline", "evaluation_slots": 2, "seed": 2}
    first = start_run(root, settings, db=archive_url)
    resumed = resume_run(first.run_id, db=archive_url, iterations=8)
    archive = Archive(archive_url)
    programs = archive.programs(first.run_id)
    assert [p.seq for p in programs] == list(range(9))
    evaluated = [p for p in programs if p.state == ProgramState.EVALUATED]
    assert archive.get_run(first.run_id).evaluations == len(evaluated)
    assert resumed.evaluations == len(evaluated)


def test_unreachable_postgresql_is_a_one_line_archive_error() -> None:
    with pytest.raises(ArchiveError) as info:
        Archive("postgresql+psycopg://adrs:secret@127.0.0.1:1/none")
    message = str(info.value)
    assert "cannot open" in message and "secret" not in message
    assert "\n" not in message.strip()
