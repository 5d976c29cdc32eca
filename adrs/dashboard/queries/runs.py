"""Runs: the sortable, paged list of runs, one run's summary, and status counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from adrs.archive.models import Event, Program, Run
from adrs.dashboard.errors import BadParameter
from adrs.dashboard.queries.common import Paging, as_utc, gain, resolve_id, row_dict, rows

SUMMARY_COLUMNS = (
    Run.id,
    Run.problem_name,
    Run.status,
    Run.stop_reason,
    Run.objective_metric,
    Run.objective_direction,
    Run.seed_program_id,
    Run.seed_score,
    Run.best_program_id,
    Run.best_score,
    Run.iterations,
    Run.evaluations,
    Run.cost_usd,
    Run.tokens_in,
    Run.tokens_out,
    Run.verified,
    Run.sandbox_backend,
    Run.executor,
    Run.created_at,
    Run.updated_at,
    Run.finished_at,
)


def _elapsed_expr(dialect: str) -> Any:
    end = func.coalesce(Run.finished_at, Run.updated_at)
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(Run.created_at)) * 86400.0
    if dialect == "postgresql":
        return func.extract("epoch", end - Run.created_at)
    return Run.created_at  # no portable interval arithmetic: start time is the best proxy


def _gain_expr() -> Any:
    change = (Run.best_score - Run.seed_score) / func.abs(Run.seed_score)
    return case(
        (Run.seed_score == 0, None),
        (Run.objective_direction == "minimize", -change),
        else_=change,
    )


SORT_KEYS = ("created", "problem", "status", "best", "gain", "iterations", "evaluations", "cost")


def _sort_column(key: str, dialect: str) -> Any:
    columns: dict[str, Any] = {
        "created": Run.created_at,
        "problem": Run.problem_name,
        "status": Run.status,
        "best": Run.best_score,
        "gain": _gain_expr(),
        "iterations": Run.iterations,
        "evaluations": Run.evaluations,
        "cost": Run.cost_usd,
        "elapsed": _elapsed_expr(dialect),
    }
    if key not in columns:
        raise BadParameter(f"sort: unknown column {key!r} (one of {', '.join(columns)})")
    return columns[key]


def decorate(run: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Add the figures derived from a run row: gain over the seed and elapsed seconds."""
    now = now or datetime.now(UTC)
    run["gain"] = gain(run["best_score"], run["seed_score"], run["objective_direction"])
    start = as_utc(run["created_at"])
    end = as_utc(run["finished_at"]) or (now if run["status"] == "running" else None)
    end = end or as_utc(run["updated_at"])
    run["elapsed_s"] = (end - start).total_seconds() if start and end else None
    return run


def list_runs(conn: Connection, *, sort: str, order: str, paging: Paging) -> dict[str, Any]:
    """One page of runs, sorted by ``sort`` (a key of SORT_KEYS or ``elapsed``)."""
    if order not in ("asc", "desc"):
        raise BadParameter(f"order: must be 'asc' or 'desc', not {order!r}")
    column = _sort_column(sort, conn.dialect.name)
    ordering = column.asc() if order == "asc" else column.desc()
    total = conn.execute(select(func.count()).select_from(Run)).scalar_one()
    found = rows(
        conn.execute(
            select(*SUMMARY_COLUMNS)
            .order_by(ordering.nulls_last(), Run.created_at.desc())
            .limit(paging.per_page)
            .offset(paging.offset)
        )
    )
    counts = status_counts(conn, [r["id"] for r in found])
    for run in found:
        decorate(run)
        run["statuses"] = counts.get(run["id"], {})
    return {"runs": found, **paging.describe(total), "sort": sort, "order": order}


def brief(conn: Connection, ident: str) -> dict[str, Any]:
    """A run's summary row, by id or unique id prefix: one indexed read."""
    run_id = resolve_id(conn, Run.id, ident, "run")
    row = conn.execute(select(*SUMMARY_COLUMNS).where(Run.id == run_id)).one()
    return decorate(row_dict(row._mapping))


def get_run(conn: Connection, ident: str) -> dict[str, Any]:
    """A run's summary with its settings and host, by id or unique id prefix."""
    run_id = resolve_id(conn, Run.id, ident, "run")
    row = conn.execute(
        select(
            *SUMMARY_COLUMNS, Run.problem_path, Run.settings, Run.host, Run.version, Run.seed
        ).where(Run.id == run_id)
    ).one()
    return decorate(row_dict(row._mapping))


def status_counts(conn: Connection, run_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Programs per outcome for each run: an evaluation status, ``pending`` or ``rejected``."""
    if not run_ids:
        return {}
    found = conn.execute(
        select(Program.run_id, Program.state, Program.status, func.count())
        .where(Program.run_id.in_(list(run_ids)))
        .group_by(Program.run_id, Program.state, Program.status)
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for run_id, state, status, n in found:
        key = str(status if state == "evaluated" and status else state)
        per_run = counts.setdefault(run_id, {})
        per_run[key] = per_run.get(key, 0) + int(n)
    return counts


def stamp(conn: Connection, run_id: str | None = None) -> dict[str, Any]:
    """What changes whenever a run (or any run) moves on; pages poll it to refresh."""
    if run_id is not None:
        row = conn.execute(
            select(Run.status, Run.updated_at, Run.iterations, Run.evaluations).where(
                Run.id == run_id
            )
        ).first()
        if row is None:
            return {"stamp": "", "live": False}
        status, updated, iterations, evaluations = row
        return {
            "stamp": f"{status}|{as_utc(updated)}|{iterations}|{evaluations}",
            "live": status == "running",
        }
    latest, count, running = conn.execute(
        select(
            func.max(Run.updated_at),
            func.count(),
            func.sum(case((Run.status == "running", 1), else_=0)),
        )
    ).one()
    return {"stamp": f"{as_utc(latest)}|{count}", "live": bool(running)}


def events(conn: Connection, run_id: str, *, before: int | None, limit: int) -> dict[str, Any]:
    """The run's events, newest first, ``limit`` at a time; ``before`` pages back."""
    q = select(Event.id, Event.kind, Event.message, Event.data, Event.created_at).where(
        Event.run_id == run_id
    )
    if before is not None:
        q = q.where(Event.id < before)
    found = rows(conn.execute(q.order_by(Event.id.desc()).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return {"items": found, "older": found[-1]["id"] if more and found else None}
