"""The executor contract: evaluate programs somewhere, asynchronously, in any order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from adrs.evaluation.evaluate import Evaluation
from adrs.problem.loader import Problem
from adrs.problem.spec import Stage


@dataclass(frozen=True)
class EvalTask:
    """One program to evaluate with a named sandbox backend."""

    problem: Problem
    source: str
    run_id: str
    program_id: str
    sandbox: str
    stages: tuple[Stage, ...] | None = None


@runtime_checkable
class Executor(Protocol):
    """Runs evaluations; the engine bounds how many are in flight (``slots``)."""

    name: str
    slots: int

    async def evaluate(self, task: EvalTask) -> Evaluation:
        """Evaluate ``task``; raises only for infrastructure faults, never for the
        candidate's own failures (those are statuses in the result)."""
        ...

    def close(self) -> None: ...
