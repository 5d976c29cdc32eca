"""The archive is the checkpoint: a run SIGKILLed at any moment resumes with nothing lost,
nothing counted twice, and (ordered mode) exactly the archive an uninterrupted run makes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from adrs.archive.store import Archive
from adrs.engine.runner import resume_run, start_run
from tests.conftest import PROBLEMS

ITERATIONS = 48


def fingerprint_of_run(archive: Archive, run_id: str) -> list[tuple[object, ...]]:
    return [
        (p.seq, p.source_hash, p.state, p.status, p.score, p.parent_id is not None)
        for p in archive.programs(run_id)
    ]


def kill_mid_run(db: str, tmp_path: Path, after_evaluated: int) -> str:
    """Start `adrs run` in a subprocess and SIGKILL its whole process group mid-run."""
    cmd = [
        sys.executable,
        "-m",
        "adrs.cli.main",
        "run",
        str(PROBLEMS / "model_placement"),
        "--iterations",
        str(ITERATIONS),
        "--seed",
        "3",
        "--db",
        db,
        "--quiet",
        "--executor",
        "inline",
    ]
    proc = subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    path = db.removeprefix("sqlite:///")
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            if Path(path).exists():
                try:
                    with sqlite3.connect(path, timeout=1) as conn:
                        row = conn.execute(
                            "select count(*) from programs where state = 'evaluated'"
                        ).fetchone()
                    if row and row[0] >= after_evaluated:
                        break
                except sqlite3.OperationalError:
                    pass
            time.sleep(0.05)
        else:
            pytest.fail("the run did not make progress")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    archive = Archive(db)
    runs = archive.list_runs()
    assert len(runs) == 1 and runs[0].status == "running"
    return runs[0].id


def test_sigkilled_run_resumes_to_the_uninterrupted_archive(tmp_path: Path) -> None:
    killed_db = f"sqlite:///{tmp_path / 'killed.db'}"
    run_id = kill_mid_run(killed_db, tmp_path, after_evaluated=20)
    with sqlite3.connect(killed_db.removeprefix("sqlite:///")) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    before = Archive(killed_db).programs(run_id)
    resumed = resume_run(run_id, db=killed_db)
    assert resumed.stop_reason == f"completed {ITERATIONS} iterations"

    archive = Archive(killed_db)
    programs = archive.programs(run_id)
    # Nothing lost: every proposal 0..N is there and finished; nothing twice: seqs unique.
    assert [p.seq for p in programs] == list(range(ITERATIONS + 1))
    assert all(p.state in ("evaluated", "rejected") for p in programs)
    # Programs recorded before the kill are untouched (same ids, same sources).
    after = {p.id: p for p in programs}
    for p in before:
        assert after[p.id].source_hash == p.source_hash and after[p.id].seq == p.seq
    # Each evaluated program has exactly one evaluation row per stage it ran.
    for p in programs:
        stages = [e.stage for e in archive.evaluations(p.id) if e.purpose == "search"]
        assert len(stages) == len(set(stages))
    run = archive.get_run(run_id)
    assert run.evaluations == sum(1 for p in programs if p.state == "evaluated")
    assert run.status == "finished"
    assert any(e.kind == "resume" for e in archive.events(run_id))

    clean_db = f"sqlite:///{tmp_path / 'clean.db'}"
    clean = start_run(
        PROBLEMS / "model_placement",
        {"iterations": ITERATIONS, "seed": 3, "executor": "inline"},
        db=clean_db,
    )
    assert fingerprint_of_run(Archive(clean_db), clean.run_id) == fingerprint_of_run(
        archive, run_id
    )
