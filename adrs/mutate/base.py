"""The mutator contract: given a parent and context, propose a change as response text.

A mutator returns text in the same form a language model would (SEARCH/REPLACE blocks or a
fenced program), so that every proposal goes through the same patch, EVOLVE-BLOCK and
duplicate checks. The call itself is recorded in the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from adrs.archive.store import Archive, CallRecord


class MutatorUnavailable(RuntimeError):
    """The mutator cannot go on (an endpoint failing repeatedly): the run stops, resumable.

    ``call`` is the failed call that made it give up, recorded like any other.
    """

    def __init__(self, message: str, call: CallRecord | None = None) -> None:
        super().__init__(message)
        self.call = call


@dataclass(frozen=True)
class ProgramView:
    """What a mutator may see of a program."""

    id: str
    source: str
    score: float | None
    metrics: dict[str, float] = field(default_factory=dict)
    status: str | None = None
    reason: str | None = None
    feedback: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProblemContext:
    name: str
    prompt: str
    language: str
    metric: str
    direction: str
    entry: str | None = None
    root: Path | None = None  # the problem folder (for its prompt-template overrides)


@dataclass(frozen=True)
class MutationRequest:
    seq: int
    island: int
    problem: ProblemContext
    parent: ProgramView
    inspirations: tuple[ProgramView, ...] = ()
    failures: tuple[ProgramView, ...] = ()
    rng_seed: int = 0


@dataclass
class Proposal:
    """A mutator's answer: the response text to patch with, and the call record."""

    response: str
    call: CallRecord
    mutation: str = ""  # a short label, e.g. "offline:perturb_constant" or "diff"
    crossover_ids: tuple[str, ...] = ()
    # The program the response edits when it is not the parent: a failed program to fix.
    base: ProgramView | None = None


@runtime_checkable
class Mutator(Protocol):
    """Proposes children. ``deterministic`` mutators make a run reproducible."""

    name: str
    deterministic: bool

    async def propose(self, request: MutationRequest) -> Proposal: ...


@runtime_checkable
class LearningMutator(Mutator, Protocol):
    """A mutator that learns from outcomes (a bandit over models, say)."""

    def observe(
        self,
        proposal: Proposal,
        parent_score: float | None,
        child_score: float | None,
        improved: bool,
    ) -> None: ...


@runtime_checkable
class AttachedMutator(Protocol):
    """A mutator that needs the run: it loads the problem's templates, replays what it
    learnt from the run's archive on resume, records events, and closes its clients."""

    def attach(self, problem: ProblemContext, archive: Archive, run_id: str) -> None: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class CostAware(Protocol):
    """A mutator whose calls cost money: the engine reserves this much per proposal so
    that proposals in flight can never together overshoot the budget."""

    def cost_ceiling(self) -> float: ...
