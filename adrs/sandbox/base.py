"""The sandbox contract: run the harness on a job, under limits, and hand back raw output.

A sandbox never interprets what the candidate produced; the evaluation layer parses the
output channel and the trusted verifier scores it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from adrs.problem.spec import Limits


@dataclass(frozen=True)
class SandboxJob:
    """What one sandboxed run needs.

    ``files`` are written into the work directory (read-only to the candidate); ``trees``
    are directories copied (or mounted read-only) under the given relative names; ``job``
    is the harness's job document, whose relative paths resolve in the work directory. The
    backend fills in the output channel path.
    """

    files: Mapping[str, bytes]
    job: Mapping[str, Any]
    limits: Limits
    trees: Mapping[str, Path] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    image: str = "adrs-python:latest"
    gpu: bool = False
    hidden: tuple[Path, ...] = ()  # host paths the candidate must not see (verifier, data)
    # Read by the harness's timekeeper from stdin after the job document, once the
    # candidate's process has split off: this evaluation's nonce, then the case inputs.
    # Never a file, so the candidate can neither forge frames nor see inputs early.
    secret_input: bytes = b""

    def stdin(self, document: Mapping[str, Any]) -> bytes:
        """What the harness reads on stdin: ``document`` on one line, then the secrets."""
        return json.dumps(dict(document)).encode() + b"\n" + self.secret_input


@dataclass
class SandboxResult:
    """Raw facts about one run, as seen from the host."""

    backend: str
    exit_code: int | None  # negative: killed by that signal
    started: float  # host time.monotonic() just before launch
    finished: float  # host time.monotonic() once the run was reaped
    output: bytes = b""
    output_truncated: bool = False
    stdout: str = ""  # tail
    stderr: str = ""  # tail
    log_overflow: str | None = None  # "stdout" or "stderr" when a stream passed its cap
    timed_out: bool = False
    oom_killed: bool = False
    applied: dict[str, Any] = field(default_factory=dict)  # limits as actually applied
    notes: list[str] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        return self.finished - self.started


@runtime_checkable
class Sandbox(Protocol):
    """A place to run untrusted code. One method, as in FunSearch."""

    name: str

    def run(self, job: SandboxJob) -> SandboxResult:
        """Run the harness on ``job`` and return what came out, never raising for the
        candidate's misbehaviour (only for infrastructure faults)."""
        ...
