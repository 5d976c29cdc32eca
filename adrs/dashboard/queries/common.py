"""Helpers shared by the dashboard's queries: rows as dicts, paging, id look-ups, times."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from adrs.dashboard.errors import BadParameter, NotFound

MIN_PREFIX = 4


def as_utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands them back naive)."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def row_dict(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A result row as a plain dict, with times made aware."""
    out = dict(row)
    for key, value in out.items():
        if isinstance(value, datetime):
            out[key] = as_utc(value)
    return out


def rows(result: Iterable[Any]) -> list[dict[str, Any]]:
    return [row_dict(r._mapping) for r in result]


@dataclass(frozen=True)
class Paging:
    """Which page of a listing to show; ``page`` counts from 1."""

    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def describe(self, total: int) -> dict[str, int]:
        pages = max(1, math.ceil(total / self.per_page))
        return {"page": self.page, "per_page": self.per_page, "pages": pages, "total": total}


def resolve_id(conn: Connection, column: Any, ident: str, what: str) -> str:
    """The full id of a row from its id or a unique prefix of it (at least 4 characters)."""
    if conn.execute(select(column).where(column == ident)).first() is not None:
        return ident
    if len(ident) >= MIN_PREFIX and ident.isalnum():
        if conn.dialect.name == "sqlite":
            # a range instead of LIKE (case-blind there), so the primary key's index answers
            match = (column >= ident) & (column < ident + "~")
        else:  # a range would depend on the server's collation; LIKE does not
            match = column.startswith(ident, autoescape=True)
        found = conn.execute(select(column).where(match).limit(2)).all()
        if len(found) == 1:
            return str(found[0][0])
        if len(found) > 1:
            raise BadParameter(f"{what} id prefix {ident!r} is ambiguous")
    raise NotFound(f"no {what} {ident!r} in this archive")


def better_first(column: Any, direction: str) -> Any:
    """An ORDER BY term that puts the best scores first for the objective's direction."""
    return column.asc() if direction == "minimize" else column.desc()


def gain(best: float | None, seed: float | None, direction: str) -> float | None:
    """Improvement of ``best`` over ``seed`` as a fraction, positive when better."""
    if best is None or seed is None or seed == 0:
        return None
    change = (best - seed) / abs(seed)
    return -change if direction == "minimize" else change
