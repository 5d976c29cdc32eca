"""Replaying the run's model calls from the archive, so a resumed run keeps what the
ensemble learnt: each call's model and cost, and whether its child beat its parent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from adrs.archive.models import LLMCall, Program
from adrs.archive.store import Archive
from adrs.evaluation.status import ProgramState, Status
from adrs.mutate.ensemble import Ensemble, relative_gain


def _better(child: float, parent: float, direction: str) -> bool:
    return child < parent if direction == "minimize" else child > parent


def replay(ensemble: Ensemble, archive: Archive, run_id: str, direction: str) -> int:
    """Feed every recorded call of ``run_id`` to ``ensemble``; returns how many were known.

    Calls whose program is still pending are counted as made but not as outcomes (the
    engine evaluates them again). Failure streaks are not carried over: a resumed run
    tries every endpoint afresh.
    """
    parent = aliased(Program)
    query = (
        select(
            LLMCall.model,
            LLMCall.cost_usd,
            LLMCall.error,
            Program.state,
            Program.status,
            Program.complete,
            Program.score,
            parent.score,
        )
        .join(Program, LLMCall.program_id == Program.id)
        .outerjoin(parent, Program.parent_id == parent.id)
        .where(LLMCall.run_id == run_id)
        .order_by(LLMCall.id)
    )
    with archive.session() as s:
        rows = s.execute(query).all()
    known = 0
    for model, cost, error, state, status, complete, score, parent_score in rows:
        arm = ensemble.arm(model)
        if arm is None:
            continue
        known += 1
        arm.chosen += 1
        ensemble.record_call(model, cost or 0.0, error is not None)
        if state == ProgramState.PENDING:
            continue
        improved = (
            state == ProgramState.EVALUATED
            and status == Status.OK
            and bool(complete)
            and score is not None
            and parent_score is not None
            and _better(score, parent_score, direction)
        )
        ensemble.observe(model, relative_gain(parent_score, score, improved))
    for arm in ensemble.arms:
        arm.failures_in_row, arm.benched = 0, None
    return known
