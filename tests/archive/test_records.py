"""Archive writes: atomic program+call+lineage and evaluation records; schema in sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from adrs.archive.store import Archive, CallRecord, ProgramRecord, check_metadata_matches, new_id
from adrs.errors import ArchiveError
from adrs.evaluation.evaluate import Evaluation, StageResult
from adrs.evaluation.status import Status


def make_run(archive: Archive) -> str:
    return archive.create_run(
        problem_name="p",
        problem_path="/p",
        problem_digest="d",
        objective_metric="m",
        objective_direction="minimize",
        settings={"iterations": 3},
        status="running",
        verified=True,
        sandbox_backend="process",
        executor="inline",
        seed=0,
        iterations=0,
        evaluations=0,
        cost_usd=0.0,
        tokens_in=0,
        tokens_out=0,
        host="h",
        version="0",
    )


def program(run_id: str, seq: int, parent: str | None = None) -> ProgramRecord:
    return ProgramRecord(
        id=new_id(),
        run_id=run_id,
        seq=seq,
        island=0,
        generation=seq,
        source=f"x = {seq}\n",
        source_hash=f"h{seq}",
        language="python",
        state="pending",
        parent_id=parent,
    )


def test_migrations_match_the_models(archive: Archive) -> None:
    assert check_metadata_matches(archive.engine) == []
    tables = set(inspect(archive.engine).get_table_names())
    assert {"runs", "programs", "lineage", "llm_calls", "evaluations", "events"} <= tables


def test_program_call_and_lineage_are_stored_together(archive: Archive) -> None:
    run_id = make_run(archive)
    seed = program(run_id, 0)
    archive.add_program(seed)
    child = program(run_id, 1, seed.id)
    call = CallRecord(
        model="m", prompt="p", response="r", tokens_in=10, tokens_out=5, cost_usd=0.25
    )
    archive.add_program(child, call, [(seed.id, "parent"), (seed.id, "inspiration")])
    assert [c.model for c in archive.calls(child.id)] == ["m"]
    assert {(e.parent_id, e.kind) for e in archive.lineage(child.id)} == {
        (seed.id, "parent"),
        (seed.id, "inspiration"),
    }
    run = archive.get_run(run_id)
    assert (run.iterations, run.cost_usd, run.tokens_in, run.tokens_out) == (1, 0.25, 10, 5)


def test_failed_write_leaves_nothing_behind(archive: Archive) -> None:
    run_id = make_run(archive)
    archive.add_program(program(run_id, 0))
    duplicate_seq = program(run_id, 0)
    with pytest.raises(Exception):  # noqa: B017 - the unique (run, seq) constraint
        archive.add_program(duplicate_seq, CallRecord(model="m"), [])
    assert len(archive.programs(run_id)) == 1
    assert archive.calls(duplicate_seq.id) == []


def test_evaluation_updates_program_and_run_atomically(archive: Archive) -> None:
    run_id = make_run(archive)
    p = program(run_id, 0)
    archive.add_program(p)
    stage = StageResult(
        stage="full",
        split="search",
        status=Status.OK,
        reason="",
        metrics={"m": 1.5},
        score=1.5,
        cases=[{"id": "a", "metrics": {"m": 1.5}}],
        backend="process",
        wall_s=0.1,
    )
    archive.record_evaluation(
        p.id,
        run_id,
        Evaluation([stage], complete=True),
        features={"complexity": 3.0},
        best=(p.id, 1.5),
    )
    stored = archive.get_program(p.id)
    assert (stored.state, stored.status, stored.score, stored.complete) == (
        "evaluated",
        "ok",
        1.5,
        True,
    )
    assert stored.features == {"complexity": 3.0}
    run = archive.get_run(run_id)
    assert (run.evaluations, run.best_program_id, run.best_score) == (1, p.id, 1.5)
    assert archive.evaluations(p.id)[0].cases == [{"id": "a", "metrics": {"m": 1.5}}]
    assert archive.status_counts(run_id) == {"ok": 1}


def test_ids_can_be_abbreviated(archive: Archive) -> None:
    run_id = make_run(archive)
    p = program(run_id, 0)
    archive.add_program(p)
    assert archive.get_run(run_id[:6]).id == run_id
    assert archive.get_program(p.id[:8]).id == p.id
    with pytest.raises(ArchiveError, match="no run 'zzz'"):
        archive.get_run("zzz")


def test_sqlite_archive_uses_wal_and_foreign_keys(archive: Archive) -> None:
    with archive.engine.connect() as conn:
        assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("pragma foreign_keys").scalar() == 1


def test_bad_urls_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not a database URL"):
        Archive("://nothing")
    with pytest.raises(
        ArchiveError, match="not a database URL: 'postgresql://u:\\*\\*\\*@h:port/x'"
    ):
        Archive("postgresql://u:pw@h:port/x")
    with pytest.raises(ArchiveError, match="database driver not installed"):
        Archive("nosuchdb://x/y")
    with pytest.raises(ArchiveError, match="no such database file"):
        Archive(str(tmp_path / "absent.db"), readonly=True)
    with pytest.raises(ArchiveError, match=r"\*\*\*") as err:
        Archive("postgresql+psycopg://user:secret@127.0.0.1:1/none")
    assert "secret" not in str(err.value)


def test_corrupt_database_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ArchiveError, match=r"junk\.db: cannot open: file is not a database") as err:
        Archive(str(path))
    assert "sqlalche.me" not in str(err.value)  # the driver's words, not SQLAlchemy's links
    assert path.read_bytes().startswith(b"this is not a database")


def test_an_existing_archive_opens_without_migrating_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    make_run(Archive(url))
    assert len(Archive(url).list_runs()) == 1
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select version_num from alembic_version").scalar()


@pytest.mark.parametrize("readonly", [False, True])
def test_an_archive_from_a_newer_adrs_is_refused_in_one_line_and_left_alone(
    tmp_path: Path, readonly: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'future.db'}"
    run_id = make_run(Archive(url))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("update alembic_version set version_num = '9999_future'")
    engine.dispose()
    with pytest.raises(ArchiveError, match="9999_future is unknown to this adrs") as err:
        Archive(url, readonly=readonly)
    assert "\n" not in str(err.value)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select version_num from alembic_version").scalar() == (
            "9999_future"
        )
        assert conn.exec_driver_sql("select id from runs").scalar() == run_id
