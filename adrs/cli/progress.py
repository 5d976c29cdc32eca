"""The live progress display: one rewritten line on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from adrs.cli.output import fmt, relative
from adrs.engine.loop import Progress

SHORT = {
    "ok": "ok",
    "error": "err",
    "invalid_output": "inv",
    "timeout": "t/o",
    "memory": "mem",
    "output_limit": "out",
    "tampered": "tamp",
    "rejected": "rej",
}


def _count(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def _tokens(p: Progress) -> str:
    """Model calls and tokens, when a language model is in use."""
    if not p.tokens_in and not p.tokens_out:
        return ""
    return f" ({p.llm_calls} calls, {_count(p.tokens_in)} in/{_count(p.tokens_out)} out tok)"


def describe(p: Progress) -> str:
    statuses = " ".join(f"{SHORT.get(k, k)} {v}" for k, v in sorted(p.statuses.items()))
    return (
        f"[{p.run_id}] {p.proposed}/{p.total} proposed, {p.evaluated} evaluated "
        f"({statuses}) | best {fmt(p.best)} (seed {fmt(p.seed)} "
        f"{relative(p.best, p.seed)}) | ${p.cost_usd:.4f}{_tokens(p)} | {p.rate:.1f} eval/s "
        f"| {p.elapsed_s:.0f} s"
    )


class ProgressPrinter:
    """Throttled progress output; call with each :class:`Progress` snapshot."""

    def __init__(self, stream: TextIO | None = None, interval_s: float | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval_s if interval_s is not None else (0.2 if self.tty else 10.0)
        self.last = 0.0
        self.width = 0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last < self.interval and progress.stop_reason is None:
            return
        self.last = now
        line = describe(progress)
        if self.tty:
            pad = max(0, self.width - len(line))
            self.stream.write("\r" + line + " " * pad)
            self.width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self.width:
            self.stream.write("\n")
            self.stream.flush()
