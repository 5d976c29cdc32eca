"""The process backend's wait for the sandbox's process to end."""

from __future__ import annotations

import subprocess
import sys

from adrs.sandbox.process import wait_exit


def _python(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code])


def test_a_process_that_ends_is_seen_ended_and_left_for_the_caller_to_reap() -> None:
    proc = _python("raise SystemExit(3)")
    assert wait_exit(proc, 30.0)
    assert proc.returncode is None  # not reaped: the caller still reads its exit code
    assert proc.wait() == 3


def test_a_process_that_outlives_the_timeout_is_reported_running() -> None:
    proc = _python("import time; time.sleep(60)")
    try:
        assert not wait_exit(proc, 0.2)
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()


def test_an_already_reaped_process_counts_as_ended() -> None:
    proc = _python("pass")
    proc.wait()
    assert wait_exit(proc, 1.0)
