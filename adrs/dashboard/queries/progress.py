"""A run's progress besides its scores: islands, models, top programs, validation.

Whole-run figures are aggregates computed by the database over covering indexes; what
comes back is bounded (one row per island and per model, a page of programs).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from adrs.archive.models import EvaluationRecord, LLMCall, Program
from adrs.dashboard.queries.common import better_first, rows
from adrs.dashboard.queries.scores import models_by_program


def island_sizes(conn: Connection, run_id: str) -> dict[int, int]:
    """Programs proposed on each island, scored or not."""
    found = conn.execute(
        select(Program.island, func.count())
        .where(Program.run_id == run_id)
        .group_by(Program.island)
    ).all()
    return {int(i): int(n) for i, n in found}


def models(conn: Connection, run_id: str) -> list[dict[str, Any]]:
    """Per model (as named in the calls): calls, tokens and cost."""
    found = conn.execute(
        select(
            LLMCall.model,
            func.count(),
            func.sum(LLMCall.cost_usd),
            func.sum(LLMCall.tokens_in),
            func.sum(LLMCall.tokens_out),
        )
        .where(LLMCall.run_id == run_id)
        .group_by(LLMCall.model)
        .order_by(LLMCall.model)
    ).all()
    return [
        {
            "model": m,
            "calls": n,
            "cost_usd": float(c or 0.0),
            "tokens_in": int(ti or 0),
            "tokens_out": int(to or 0),
        }
        for m, n, c, ti, to in found
    ]


PROGRAM_SUMMARY = (
    Program.id,
    Program.seq,
    Program.island,
    Program.generation,
    Program.parent_id,
    Program.state,
    Program.status,
    Program.score,
    Program.mutation,
)
SUMMARY_KEYS = tuple(c.key for c in PROGRAM_SUMMARY)


def top_programs(conn: Connection, run_id: str, direction: str, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` best scored programs, best first, with the model that wrote each."""
    found = rows(
        conn.execute(
            select(*PROGRAM_SUMMARY)
            .where(Program.run_id == run_id, Program.score.is_not(None))
            .order_by(better_first(Program.score, direction), Program.seq)
            .limit(limit)
        )
    )
    by_program = models_by_program(conn, [p["id"] for p in found])
    for p in found:
        p["model"] = by_program.get(p["id"])
    return found


def validation(conn: Connection, run_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """Held-out results recorded by ``adrs validate``, newest first, with the search score."""
    found = rows(
        conn.execute(
            select(
                EvaluationRecord.program_id,
                EvaluationRecord.stage,
                EvaluationRecord.status,
                EvaluationRecord.reason,
                EvaluationRecord.score.label("heldout_score"),
                EvaluationRecord.created_at,
                Program.seq,
                Program.score.label("search_score"),
            )
            .join(Program, Program.id == EvaluationRecord.program_id)
            .where(EvaluationRecord.run_id == run_id, EvaluationRecord.purpose == "validation")
            .order_by(EvaluationRecord.id.desc())
            .limit(limit)
        )
    )
    seen: set[str] = set()
    latest = []
    for r in found:  # only the newest validation of each program
        if r["program_id"] not in seen:
            seen.add(r["program_id"])
            latest.append(r)
    return latest
