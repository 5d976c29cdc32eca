"""A driver killed with SIGKILL mid-run: its local Ray and sandboxes go with it, and
`adrs resume` re-queues what was in flight, ending with the archive an uninterrupted run
would have written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from adrs.archive.store import Archive
from adrs.engine.runner import resume_run, start_run
from adrs.errors import ArchiveError
from adrs.evaluation.status import ProgramState
from tests.execute.test_ray_executor import SLOW_SEED, summary
from tests.support.procs import alive, cmdline, descendants, wait_for

ITERATIONS = 16
AGENTS = ("ray::DashboardAgent", "ray::RuntimeEnvAgent")
SETTINGS = {"iterations": ITERATIONS, "seed": 5, "evaluation_slots": 2}


class Watcher:
    """Reads the killed driver's archive as a dashboard would, from its own connection."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.archive: Archive | None = None

    def in_flight(self) -> bool:
        """True once some programs are evaluated and another is being evaluated."""
        try:
            if self.archive is None:
                self.archive = Archive(self.db, readonly=True)
            runs = self.archive.list_runs()
            if not runs:
                return False
            states = [p.state for p in self.archive.programs(runs[0].id)]
        except ArchiveError:
            return False
        return states.count(ProgramState.EVALUATED) >= 2 and ProgramState.PENDING in states


def test_resume_after_driver_sigkill_finishes_as_an_uninterrupted_run(
    make_problem: Callable[..., Path], tmp_path: Path, local_ray: None
) -> None:
    root = make_problem(SLOW_SEED.format(delay=0.5), timeout=30)
    db = str(tmp_path / "killed.db")
    argv = [sys.executable, "-m", "adrs.cli.main", "run", str(root), "--db", db, "--quiet"]
    argv += ["--executor", "ray", "--eval-slots", "2", "--iterations", str(ITERATIONS)]
    argv += ["--sandbox", "process"]  # the test follows the sandboxes' own processes
    log = tmp_path / "driver.log"
    with log.open("wb") as stderr:
        driver = subprocess.Popen([*argv, "--seed", "5"], stderr=stderr)
    watcher = Watcher(db)
    try:
        assert wait_for(lambda: watcher.in_flight() or driver.poll() is not None, timeout=180)
        assert driver.poll() is None, f"the driver ended first: {log.read_text()[-2000:]}"
        # Its Ray, workers and sandboxes. Ray's two agent processes are left out: they
        # notice on their own that their raylet is gone, but only after a minute or so.
        left_behind = {
            pid for pid in descendants(driver.pid) if not cmdline(pid).startswith(AGENTS)
        }
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait(timeout=30)
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    assert wait_for(lambda: not any(alive(p) for p in left_behind), timeout=30), (
        "processes of the killed driver outlived it"
    )
    archive = Archive(db)
    (run,) = archive.list_runs()
    pending = [p.seq for p in archive.programs(run.id) if p.state == ProgramState.PENDING]
    assert pending, "nothing was in flight when the driver died"

    resumed = resume_run(run.id, db=db)
    assert resumed.stop_reason == f"completed {ITERATIONS} iterations"
    events = [e.message for e in archive.events(run.id) if e.kind == "resume"]
    assert any(f"re-queued {len(pending)} pending evaluations" in m for m in events), events

    reference_db = str(tmp_path / "reference.db")
    reference = start_run(
        root, {**SETTINGS, "executor": "inline", "sandbox": "process"}, db=reference_db
    )
    assert summary(db, run.id) == summary(reference_db, reference.run_id)
    for p in archive.programs(run.id):
        if p.state == ProgramState.EVALUATED:
            assert sum(e.purpose == "search" for e in archive.evaluations(p.id)) == 1
