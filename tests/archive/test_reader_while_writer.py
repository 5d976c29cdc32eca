"""A dashboard-style reader reads an archive while a run's driver writes it, on every
backend: it never fails, never sees a count go backwards, and sees the run in progress."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from adrs.archive.store import Archive
from adrs.errors import ArchiveError

SLOW_SEED = """
import time
time.sleep(0.25)
# EVOLVE-BLOCK-START
def solve(x):
    return x + x
# EVOLVE-BLOCK-END
"""
ITERATIONS = 12


def _open_when_created(url: str, writer: subprocess.Popen[bytes]) -> tuple[Archive, str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and writer.poll() is None:
        try:
            reader = Archive(url, readonly=True)
            runs = reader.list_runs()
            if runs:
                return reader, runs[0].id
            reader.close()
        except ArchiveError:
            pass  # not created yet
        time.sleep(0.02)
    raise AssertionError("the writer never created its run")


def test_reader_follows_a_run_while_the_driver_writes(
    archive_url: str, make_problem: Callable[..., Path]
) -> None:
    root = make_problem(SLOW_SEED, timeout=20)
    argv = [sys.executable, "-m", "adrs.cli.main", "run", str(root), "--db", archive_url]
    argv += ["--executor", "inline", "--eval-slots", "2", "--iterations", str(ITERATIONS)]
    writer = subprocess.Popen(
        [*argv, "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        reader, run_id = _open_when_created(archive_url, writer)
        seen: list[tuple[int, int, int]] = []
        while writer.poll() is None:
            programs = reader.programs(run_id)
            counts = reader.status_counts(run_id)
            run = reader.get_run(run_id)
            reader.events(run_id)
            evaluated = sum(1 for p in programs if p.state == "evaluated")
            seen.append((len(programs), evaluated, run.evaluations))
            time.sleep(0.03)
        assert sum(counts.values()) <= ITERATIONS + 1
    finally:
        if writer.poll() is None:
            writer.kill()
        _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err.decode(errors="replace")[-2000:]
    final_programs = reader.programs(run_id)
    assert len(final_programs) == ITERATIONS + 1
    assert reader.get_run(run_id).status == "finished"
    for earlier, later in itertools.pairwise(seen):
        assert all(a <= b for a, b in zip(earlier, later, strict=True)), (earlier, later)
    assert any(0 < n < ITERATIONS + 1 for n, _, _ in seen), "never saw the run in progress"
