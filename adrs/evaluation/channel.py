"""Defensive parsing of the harness's output channel.

The channel is written by a process that also runs untrusted code, so every frame is
checked: the nonce, the frame type, the case ids (each expected once, in order) and the
timestamps, which must lie inside the host's own launch-to-reap window and never overlap.
Any inconsistency is reported as tampering rather than trusted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from evaluators import wire

CLOCK_SLACK_S = 0.05  # host and harness read the same monotonic clock; allow scheduling slack
MAX_FRAME_BYTES = 64 * 1024 * 1024


@dataclass
class CaseFrame:
    id: str
    ok: bool
    output: Any = None
    error: str = ""
    traceback: str = ""
    memory: bool = False
    t0: float = 0.0
    t1: float = 0.0

    @property
    def elapsed_s(self) -> float:
        return self.t1 - self.t0


@dataclass
class ChannelReport:
    started: bool = False
    ended: bool = False
    load_error: str | None = None
    load_traceback: str = ""
    load_memory: bool = False
    cases: list[CaseFrame] = field(default_factory=list)
    tampering: list[str] = field(default_factory=list)
    # How the candidate's process ended when it ended on its own before the harness was
    # done (exit code, or minus a signal), as the harness's timekeeper saw it.
    candidate_exit: int | None = None


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def parse_channel(
    data: bytes, *, nonce: str, expected_ids: list[str], window: tuple[float, float]
) -> ChannelReport:
    """Parse ``data`` into a report; never raises for malformed input."""
    report = ChannelReport()
    lines = data.split(b"\n")
    # The last element is either empty (clean end) or a frame cut off by a kill: ignore it.
    lines = lines[:-1]
    lo, hi = window[0] - CLOCK_SLACK_S, window[1] + CLOCK_SLACK_S
    next_index = 0
    last_t1 = lo

    def tamper(msg: str) -> None:
        if len(report.tampering) < 10:
            report.tampering.append(msg)

    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if len(raw) > MAX_FRAME_BYTES:
            tamper(f"frame {number} is larger than {MAX_FRAME_BYTES} bytes")
            continue
        try:
            frame = wire.decode(raw)
        except wire.WireError as exc:
            tamper(f"frame {number} is not valid wire data ({exc})")
            continue
        if not isinstance(frame, dict) or frame.get("nonce") != nonce:
            tamper(f"frame {number} does not carry this evaluation's nonce (forged)")
            continue
        kind = frame.get("t")
        if report.ended:
            tamper(f"frame {number} arrived after the end frame")
            continue
        if kind == "start":
            if report.started:
                tamper(f"frame {number}: second start frame")
            report.started = True
        elif kind == "load_error":
            report.load_error = str(frame.get("error", ""))[:2000]
            report.load_traceback = str(frame.get("tb", ""))[-4000:]
            report.load_memory = bool(frame.get("memory"))
        elif kind == "end":
            report.ended = True
        elif kind == "exit":
            code = frame.get("code")
            if isinstance(code, int) and not isinstance(code, bool):
                report.candidate_exit = code
        elif kind == "tampered":
            tamper(f"harness: {str(frame.get('reason', ''))[:200]}")
        elif kind == "case":
            cid = frame.get("id")
            if next_index >= len(expected_ids) or cid != expected_ids[next_index]:
                tamper(f"frame {number}: unexpected case id {str(cid)[:80]!r}")
                continue
            next_index += 1
            t0, t1 = _number(frame.get("t0")), _number(frame.get("t1"))
            if t0 is None or t1 is None or not (lo <= t0 <= t1 <= hi) or t0 < last_t1 - 1e-6:
                tamper(f"case {cid!r}: timestamps outside the host's observed window")
                continue
            last_t1 = t1
            report.cases.append(
                CaseFrame(
                    id=cid,
                    ok=bool(frame.get("ok")),
                    output=frame.get("output"),
                    error=str(frame.get("error", ""))[:2000],
                    traceback=str(frame.get("tb", ""))[-4000:],
                    memory=bool(frame.get("memory")),
                    t0=t0,
                    t1=t1,
                )
            )
        else:
            tamper(f"frame {number}: unknown frame type {str(kind)[:40]!r}")
    return report
