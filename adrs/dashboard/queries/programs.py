"""One program: its row, parents and inspirations, evaluations, calls and children (paged)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from adrs.archive.models import EvaluationRecord, LineageEdge, LLMCall, Program
from adrs.dashboard.errors import BadParameter
from adrs.dashboard.queries.common import Paging, better_first, resolve_id, row_dict, rows
from adrs.dashboard.queries.progress import PROGRAM_SUMMARY

PROGRAM_COLUMNS = (
    *PROGRAM_SUMMARY,
    Program.run_id,
    Program.source,
    Program.language,
    Program.reason,
    Program.complete,
    Program.metrics,
    Program.features,
    Program.created_at,
    Program.evaluated_at,
)


def get_program(conn: Connection, ident: str) -> dict[str, Any]:
    """A program's full row, by id or unique id prefix."""
    program_id = resolve_id(conn, Program.id, ident, "program")
    row = conn.execute(select(*PROGRAM_COLUMNS).where(Program.id == program_id)).one()
    return row_dict(row._mapping)


def sources(conn: Connection, program_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Summary and source of a few programs (parents to diff against), by id."""
    if not program_ids:
        return {}
    found = rows(
        conn.execute(
            select(*PROGRAM_SUMMARY, Program.run_id, Program.source, Program.language).where(
                Program.id.in_(program_ids)
            )
        )
    )
    return {p["id"]: p for p in found}


def edges(conn: Connection, program_id: str) -> list[dict[str, Any]]:
    """The program's lineage edges: its parent, crossover partners and inspirations."""
    return rows(
        conn.execute(
            select(LineageEdge.parent_id, LineageEdge.kind)
            .where(LineageEdge.child_id == program_id)
            .order_by(LineageEdge.kind, LineageEdge.parent_id)
        )
    )


def evaluations(conn: Connection, program_id: str) -> list[dict[str, Any]]:
    """Every evaluation stage run for the program (search and validation), oldest first."""
    return rows(
        conn.execute(
            select(
                EvaluationRecord.id,
                EvaluationRecord.purpose,
                EvaluationRecord.stage,
                EvaluationRecord.split,
                EvaluationRecord.status,
                EvaluationRecord.reason,
                EvaluationRecord.score,
                EvaluationRecord.metrics,
                EvaluationRecord.cases,
                EvaluationRecord.stdout_tail,
                EvaluationRecord.stderr_tail,
                EvaluationRecord.backend,
                EvaluationRecord.wall_s,
                EvaluationRecord.exit_code,
                EvaluationRecord.limits,
                EvaluationRecord.created_at,
            )
            .where(EvaluationRecord.program_id == program_id)
            .order_by(EvaluationRecord.id)
        )
    )


def calls(conn: Connection, program_id: str) -> list[dict[str, Any]]:
    """The mutator calls that produced the program (prompt, response, model, cost)."""
    return rows(
        conn.execute(
            select(
                LLMCall.id,
                LLMCall.model,
                LLMCall.choice_reason,
                LLMCall.template,
                LLMCall.system_prompt,
                LLMCall.prompt,
                LLMCall.response,
                LLMCall.tokens_in,
                LLMCall.tokens_out,
                LLMCall.cost_usd,
                LLMCall.latency_s,
                LLMCall.error,
                LLMCall.created_at,
            )
            .where(LLMCall.program_id == program_id)
            .order_by(LLMCall.id)
        )
    )


def children(conn: Connection, program_id: str, paging: Paging) -> dict[str, Any]:
    """One page of the programs whose parent is ``program_id``, in proposal order."""
    total = conn.execute(select(func.count()).where(Program.parent_id == program_id)).scalar_one()
    found = rows(
        conn.execute(
            select(*PROGRAM_SUMMARY)
            .where(Program.parent_id == program_id)
            .order_by(Program.seq)
            .limit(paging.per_page)
            .offset(paging.offset)
        )
    )
    return {"items": found, **paging.describe(total)}


PROGRAM_SORTS = ("seq", "score")
PROGRAM_FILTERS = ("all", "scored", "failed", "rejected", "pending")


def run_programs(
    conn: Connection,
    run_id: str,
    direction: str,
    *,
    sort: str,
    show: str,
    paging: Paging,
) -> dict[str, Any]:
    """One page of a run's programs, by iteration or best score first, optionally filtered."""
    if sort not in PROGRAM_SORTS:
        raise BadParameter(f"sort: must be one of {', '.join(PROGRAM_SORTS)}, not {sort!r}")
    if show not in PROGRAM_FILTERS:
        raise BadParameter(f"show: must be one of {', '.join(PROGRAM_FILTERS)}, not {show!r}")
    where = [Program.run_id == run_id]
    if show == "scored" or sort == "score":
        where.append(Program.score.is_not(None))
    if show == "failed":
        where += [Program.state == "evaluated", Program.status != "ok"]
    elif show in ("rejected", "pending"):
        where.append(Program.state == show)
    total = conn.execute(select(func.count()).where(*where)).scalar_one()
    order = (
        (better_first(Program.score, direction), Program.seq) if sort == "score" else (Program.seq,)
    )
    found = rows(
        conn.execute(
            select(*PROGRAM_SUMMARY, Program.reason)
            .where(*where)
            .order_by(*order)
            .limit(paging.per_page)
            .offset(paging.offset)
        )
    )
    # each parent's seq, to name it as the pages name programs (#12): looked up for the
    # page's rows only (a join would run for every row the offset skips)
    parent_ids = {p["parent_id"] for p in found if p["parent_id"]}
    seqs: dict[str, int] = {}
    if parent_ids:
        query = select(Program.id, Program.seq).where(Program.id.in_(sorted(parent_ids)))
        seqs = {pid: seq for pid, seq in conn.execute(query)}
    for p in found:
        p["parent_seq"] = seqs.get(p["parent_id"]) if p["parent_id"] else None
    return {"items": found, **paging.describe(total), "sort": sort, "show": show}
