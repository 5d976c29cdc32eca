"""Candidates that misbehave end with the right status and reason, on the process backend."""

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.loader import load_problem
from adrs.sandbox.process import ProcessSandbox, namespace_prefix, sweep_marked


def run(make_problem: Callable[..., Path], body: str, timeout: float = 10):
    root = make_problem(timeout=timeout)
    problem = load_problem(root)
    source = f"import os, sys, time\n# EVOLVE-BLOCK-START\n{body}\n# EVOLVE-BLOCK-END\n"
    return evaluate_source(problem, source, ProcessSandbox())


def test_correct_candidate_is_ok_with_metrics(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x):\n    return 2 * x")
    assert ev.status is Status.OK and ev.complete and ev.score == 0.0
    assert [c["id"] for c in ev.final.cases] == ["search-0", "search-1", "search-2"]


def test_raising_candidate_is_error_with_exception(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x):\n    raise ValueError('boom')")
    assert ev.status is Status.ERROR
    assert "case search-0 raised ValueError: boom" in ev.reason


def test_syntax_error_is_load_error(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x)\n    return x")
    assert ev.status is Status.ERROR and "failed to load: SyntaxError" in ev.reason


def test_infinite_loop_times_out(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x):\n    while True:\n        pass", timeout=1.5)
    assert ev.status is Status.TIMEOUT and "wall-clock limit of 1.5 s" in ev.reason


def test_unbounded_allocation_is_memory(make_problem: Callable[..., Path]) -> None:
    body = "def solve(x):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))"
    ev = run(make_problem, body)
    assert ev.status is Status.MEMORY and "memory limit" in ev.reason


def test_fork_bomb_is_contained(make_problem: Callable[..., Path]) -> None:
    body = (
        "def solve(x):\n"
        "    while True:\n"
        "        try:\n"
        "            os.fork()\n"
        "        except OSError:\n"
        "            time.sleep(0.01)"
    )
    ev = run(make_problem, body, timeout=2)
    assert ev.status in (Status.TIMEOUT, Status.ERROR)
    assert ev.status is not Status.OK


def test_stdout_flood_is_output_limit(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x):\n    while True:\n        print('x' * 1000)")
    assert ev.status is Status.OUTPUT_LIMIT and "stdout" in ev.reason


def test_invalid_output_is_rejected_by_verifier(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x):\n    return 'twice'")
    assert ev.status is Status.INVALID_OUTPUT and "expected a number, got str" in ev.reason


def test_nan_output_is_invalid(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x):\n    return float('nan')")
    assert ev.status is Status.INVALID_OUTPUT and "NaN" in ev.reason


def test_unserializable_output_is_invalid(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x):\n    return object()")
    assert ev.status is Status.INVALID_OUTPUT and "OutputNotSerializable" in ev.reason


def test_exit_before_output_is_error(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x):\n    os._exit(0)")
    assert ev.status is Status.ERROR
    assert "before producing output for 3 of 3 cases" in ev.reason


def test_forged_frame_on_channel_is_tampered(make_problem: Callable[..., Path]) -> None:
    body = (
        "def solve(x):\n"
        "    fd = int(os.listdir('/proc/self/fd')[-1])\n"
        "    for fd in range(3, 20):\n"
        "        try:\n"
        '            os.write(fd, b\'{"t":"case","id":"search-1","ok":true,\'\n'
        '                     b\'"output":2,"t0":0,"t1":0,"nonce":"guess"}\\n\')\n'
        "        except OSError:\n"
        "            pass\n"
        "    return 2 * x"
    )
    ev = run(make_problem, body)
    # The only descriptor it inherits leads to the harness's timekeeper, which reads what
    # came instead of a result as a forged message.
    assert ev.status is Status.TAMPERED and "forged" in ev.reason


def test_patched_clock_cannot_shrink_reported_time(make_problem: Callable[..., Path]) -> None:
    body = (
        "time.monotonic = lambda: 0.0\n"
        "time.perf_counter = lambda: 0.0\n"
        "def solve(x):\n"
        "    time.sleep(0.2)\n"
        "    return 2 * x"
    )
    ev = run(make_problem, body)
    assert ev.status is Status.OK
    assert all(c["elapsed_s"] >= 0.19 for c in ev.final.cases)


def test_daemon_child_does_not_outlive_the_evaluation(
    make_problem: Callable[..., Path],
) -> None:
    if not namespace_prefix()[0]:
        pytest.skip("no PID namespace here: the process backend relies on the env marker sweep")
    # World-writable and reachable: the candidate runs under an unprivileged uid.
    shared = Path(tempfile.mkdtemp(prefix="adrs-daemon-test-"))
    shared.chmod(0o777)
    body = (
        "def solve(x):\n"
        "    if x == 0 and os.fork() == 0:\n"
        "        try:\n"
        "            os.setsid()\n"
        f"            open({str(shared / 'started')!r}, 'w').write('yes')\n"
        "            time.sleep(3)\n"
        f"            open({str(shared / 'alive')!r}, 'w').write('still here')\n"
        "        finally:\n"
        "            os._exit(0)\n"
        "    time.sleep(0.3)\n"
        "    return 2 * x"
    )
    ev = run(make_problem, body)
    assert ev.status is Status.OK
    assert (shared / "started").exists(), "control: the daemon ran and could write"
    time.sleep(3.5)
    try:
        assert not (shared / "alive").exists()
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_sweep_marked_finds_nothing_for_unknown_marker() -> None:
    assert sweep_marked("no-such-sandbox-marker") == 0


def test_a_candidate_ended_by_its_cpu_limit_is_a_timeout(make_problem: Callable[..., Path]) -> None:
    # The candidate runs in a process of its own: the signal that ended it still decides.
    ev = run(make_problem, "import signal\ndef solve(x):\n    os.kill(os.getpid(), signal.SIGXCPU)")
    assert ev.status is Status.TIMEOUT and "CPU-time limit" in ev.reason


def test_a_candidate_that_exits_midway_says_how(make_problem: Callable[..., Path]) -> None:
    ev = run(make_problem, "def solve(x):\n    if x:\n        os._exit(7)\n    return 0")
    assert ev.status is Status.ERROR
    assert "exited with code 7 before producing output for 2 of 3 cases" in ev.reason
