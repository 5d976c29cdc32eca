"""Lineage: the whole tree of a small run, or a bounded window around one program.

The window holds the program's ancestors (up to ``ANCESTORS``, paged further up by moving
the focus), its children and their children (a few per node, with counts of the rest), so
its cost depends on what it shows, not on the size of the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, literal, select

from adrs.archive.models import Program
from adrs.dashboard.queries.common import rows
from adrs.dashboard.queries.progress import PROGRAM_SUMMARY

WHOLE_TREE_LIMIT = 400  # runs with at most this many programs are drawn whole
ANCESTORS = 30
CHILDREN = 12  # children of the focus shown
GRANDCHILDREN = 4  # children shown under each of those


def _visible(include_rejected: bool) -> list[Any]:
    return [] if include_rejected else [Program.state != "rejected"]


def is_small(conn: Connection, run_id: str, include_rejected: bool) -> bool:
    """Whether the run has few enough programs to draw whole (a bounded count)."""
    probe = (
        select(Program.id)
        .where(Program.run_id == run_id, *_visible(include_rejected))
        .limit(WHOLE_TREE_LIMIT + 1)
        .subquery()
    )
    return int(conn.execute(select(func.count()).select_from(probe)).scalar_one()) <= (
        WHOLE_TREE_LIMIT
    )


def whole_tree(conn: Connection, run_id: str, include_rejected: bool) -> list[dict[str, Any]]:
    """Every program of a small run, in proposal order."""
    return rows(
        conn.execute(
            select(*PROGRAM_SUMMARY)
            .where(Program.run_id == run_id, *_visible(include_rejected))
            .order_by(Program.seq)
            .limit(WHOLE_TREE_LIMIT)
        )
    )


def ancestors(conn: Connection, program_id: str, limit: int = ANCESTORS) -> list[dict[str, Any]]:
    """The program's parent, grandparent, ... up to ``limit`` of them, nearest first."""
    start = (
        select(Program.parent_id.label("id"), literal(1).label("depth"))
        .where(Program.id == program_id, Program.parent_id.is_not(None))
        .cte("ancestry", recursive=True)
    )
    step = select(Program.parent_id, start.c.depth + 1).where(
        Program.id == start.c.id, Program.parent_id.is_not(None), start.c.depth < limit
    )
    chain = start.union_all(step)
    return rows(
        conn.execute(
            select(*PROGRAM_SUMMARY, chain.c.depth)
            .join(chain, chain.c.id == Program.id)
            .order_by(chain.c.depth)
        )
    )


def children_of(
    conn: Connection, parent_ids: Sequence[str], per_parent: int, include_rejected: bool
) -> dict[str, list[dict[str, Any]]]:
    """Up to ``per_parent`` children of each parent, in proposal order."""
    out: dict[str, list[dict[str, Any]]] = {}
    for parent_id in parent_ids:  # one small indexed range each: a hub's other children unread
        out[parent_id] = rows(
            conn.execute(
                select(*PROGRAM_SUMMARY)
                .where(Program.parent_id == parent_id, *_visible(include_rejected))
                .order_by(Program.seq)
                .limit(per_parent)
            )
        )
    return out


def child_counts(
    conn: Connection, parent_ids: Sequence[str], include_rejected: bool
) -> dict[str, int]:
    """How many children each of ``parent_ids`` has."""
    if not parent_ids:
        return {}
    found = conn.execute(
        select(Program.parent_id, func.count())
        .where(Program.parent_id.in_(list(parent_ids)), *_visible(include_rejected))
        .group_by(Program.parent_id)
    ).all()
    return {str(p): int(n) for p, n in found}
