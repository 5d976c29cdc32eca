"""The harness split in two: a timekeeper that the candidate cannot reach, and the process
that runs the candidate.

In one process, a candidate can reach anything the harness holds: its clock (a slowed
``monotonic`` makes a slow program look fast), the output channel and its nonce (forged
frames), and the case inputs on disk (answers computed at import time, outside the timed
call). So the harness forks before the candidate loads. The timekeeper (the parent) alone
holds the channel, reads this evaluation's nonce and the case inputs from stdin after the
fork, makes itself undumpable (the candidate, under the same uid, can then neither trace
it nor read its memory), and hands the candidate one input at a time over a pipe, timing
each round trip with its own clock. The candidate's process sees only the pipe.

The pipe carries one message a line: ``L`` (loaded) or ``F`` + a failure as JSON, then per
case ``O`` + the output as one wire value or ``E`` + a failure. Anything else, or an answer
written before its question, is reported as tampering.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import select
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

# Bound at import, before any candidate code exists.
_monotonic = time.monotonic
PR_SET_DUMPABLE = 4
MAX_FAILURE_BYTES = 64 * 1024
FINISH_GRACE_S = 2.0

Load = Callable[[dict[str, Any]], tuple[Any, dict[str, Any] | None]]
RunCase = Callable[[Any, bytes], tuple[bool, bytes]]


def read_line(fd: int) -> bytes:
    """One line from ``fd``, read a byte at a time so that nothing after it is consumed:
    the rest of stdin is for the timekeeper only."""
    out = bytearray()
    while True:
        byte = os.read(fd, 1)
        if not byte or byte == b"\n":
            return bytes(out)
        out += byte


class Stdin:
    """What follows the job document on stdin: the nonce, then one case per line."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def secrets(self) -> tuple[str, list[bytes]]:
        chunks = []
        while chunk := os.read(self.fd, 1 << 20):
            chunks.append(chunk)
        self.close()
        nonce, _, cases = b"".join(chunks).partition(b"\n")
        return nonce.decode("ascii", "replace"), [c for c in cases.split(b"\n") if c.strip()]


class Child:
    """The candidate's process, as its parent sees it."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.status: int | None = None  # exit code, or minus the signal that ended it

    def ended(self, block: bool = False) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            if pid:
                self.status = (
                    -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
                )
        return self.status is not None

    def wait(self, timeout: float) -> bool:
        """Whether the process ended within ``timeout`` seconds: a pidfd wakes at its
        exit, where polling would add its interval to every evaluation."""
        try:
            fd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            deadline = _monotonic() + timeout
            while not self.ended() and _monotonic() < deadline:
                time.sleep(0.01)
            return self.ended()
        try:
            select.select([fd], [], [], timeout)
        finally:
            os.close(fd)
        return self.ended()

    def kill(self) -> None:
        if self.status is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            self.ended(block=True)


class Lines:
    """Messages from the candidate's process, with a way to tell whether one is waiting."""

    def __init__(self, fd: int, child: Child | None = None) -> None:
        self.fd = fd
        self.child = child
        self.buffer = bytearray()

    def waiting(self) -> bool:
        return bool(self.buffer) or bool(select.select([self.fd], [], [], 0)[0])

    def next(self) -> bytes | None:
        """The next line, or None once the candidate's process has ended without one (a
        process it forked may still hold the pipe open: its end is watched too)."""
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                return line
            if self.child is not None and not select.select([self.fd], [], [], 0.1)[0]:
                if self.child.ended():
                    return None
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk


def _dumpable(flag: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, flag, 0, 0, 0)


def _send_all(fd: int, data: bytes) -> bool:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError:  # the candidate's process is gone
        return False
    return True


def _failure(body: bytes) -> dict[str, Any] | None:
    """The failure fields the candidate's process reported, or None when malformed."""
    if len(body) > MAX_FAILURE_BYTES:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {
        "error": str(data.get("error", ""))[:1000],
        "tb": str(data.get("tb", ""))[-4000:],
        "memory": data.get("memory") is True,
    }


def _child(
    job: dict[str, Any], questions: int, answers: int, load: Load, run_case: RunCase
) -> None:
    _dumpable(1)  # its own /proc files stay its own; only the timekeeper is closed
    call, failure = load(job)
    if failure is not None:
        _send_all(answers, b"F" + json.dumps(failure).encode() + b"\n")
        return
    if not _send_all(answers, b"L\n"):
        return
    lines = Lines(questions)
    while (line := lines.next()) is not None:
        ok, body = run_case(call, line)
        if not _send_all(answers, (b"O" if ok else b"E") + body + b"\n"):
            return


def run_split(
    job: dict[str, Any], channel: Any, stdin: Stdin, load: Load, run_case: RunCase
) -> int:
    questions, to_child = os.pipe()
    answers_in, answers = os.pipe()
    # Undumpable from before the fork, so that there is no moment at which the candidate
    # could open the timekeeper's /proc files (its stdin among them).
    _dumpable(0)
    pid = os.fork()
    if pid == 0:  # the candidate's process: no channel, no stdin, only its two pipe ends
        try:
            for fd in (channel.fd, to_child, answers_in):
                os.close(fd)
            stdin.close()
            _child(job, questions, answers, load, run_case)
        finally:
            for stream in (sys.stdout, sys.stderr):  # os._exit would drop what is buffered
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(0)
    os.close(questions)
    os.close(answers)
    child = Child(pid)
    channel.nonce, cases = stdin.secrets()
    channel.send({"t": "start", "mono": _monotonic(), "pid": os.getpid()})
    replies = Lines(answers_in, child)

    def stop(frame: dict[str, Any] | None = None) -> int:
        if frame is not None:
            channel.send(frame)
        child.kill()
        return 0

    def finish() -> int:
        """Every case answered: let the candidate's process end by itself (and flush what
        it printed), for a moment, then end it."""
        os.close(to_child)
        child.wait(FINISH_GRACE_S)
        return stop()

    def lost() -> int:  # the candidate's process ended by itself: say how
        child.ended(block=True)
        channel.send({"t": "exit", "code": child.status})
        return 0

    first = replies.next()
    if first is None:
        return lost()
    if first[:1] == b"F":
        failure = _failure(first[1:])
        if failure is None:
            return stop({"t": "tampered", "reason": "a malformed load report"})
        return stop({"t": "load_error", **failure})
    if first != b"L":
        return stop({"t": "tampered", "reason": "a forged message before the load report"})
    for line in cases:
        case_id = _case_id(line)
        if replies.waiting():
            return stop({"t": "tampered", "reason": f"case {case_id}: answered before asked"})
        t0 = _monotonic()
        if not _send_all(to_child, line + b"\n"):
            return lost()
        reply = replies.next()
        t1 = _monotonic()
        if reply is None:
            return lost()
        kind, body = reply[:1], reply[1:]
        if kind == b"O":
            channel.send_output(case_id, body, t0, t1)
            continue
        failure = _failure(body) if kind == b"E" else None
        if failure is None:
            return stop(
                {"t": "tampered", "reason": f"case {case_id}: a forged message, not a result"}
            )
        channel.send({"t": "case", "id": case_id, "ok": False, **failure, "t0": t0, "t1": t1})
    channel.send({"t": "end", "mono": _monotonic()})
    return finish()


def run_inline(
    job: dict[str, Any], channel: Any, stdin: Stdin, load: Load, run_case: RunCase
) -> int:
    """Every case in this process, for candidates that run no code on this CPU."""
    channel.nonce, cases = stdin.secrets()
    channel.send({"t": "start", "mono": _monotonic(), "pid": os.getpid()})
    call, failure = load(job)
    if failure is not None:
        channel.send({"t": "load_error", **failure})
        return 0
    for line in cases:
        case_id = _case_id(line)
        t0 = _monotonic()
        ok, body = run_case(call, line)
        t1 = _monotonic()
        if ok:
            channel.send_output(case_id, body, t0, t1)
        else:
            frame = {"t": "case", "id": case_id, "ok": False, **json.loads(body)}
            channel.send({**frame, "t0": t0, "t1": t1})
    channel.send({"t": "end", "mono": _monotonic()})
    return 0


def _case_id(line: bytes) -> str:
    """A case's id, from the host's own line (the input stays encoded for the candidate)."""
    return str(json.loads(line)["id"])
