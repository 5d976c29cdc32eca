"""What every page shares: the page contract and the links between pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import Connection

from adrs.dashboard.memo import Memo
from adrs.dashboard.params import Params


@dataclass(frozen=True)
class Urls:
    """Links between pages, under the app's root path."""

    root: str = ""

    def _path(self, path: str, **query: Any) -> str:
        pairs = {k: v for k, v in query.items() if v is not None and v is not False}
        suffix = f"?{urlencode(pairs)}" if pairs else ""
        return f"{self.root}{path}{suffix}"

    def runs(self, **query: Any) -> str:
        return self._path("/", **query)

    def run(self, run_id: str, **query: Any) -> str:
        return self._path(f"/runs/{quote(run_id)}", **query)

    def programs(self, run_id: str, **query: Any) -> str:
        return self._path(f"/runs/{quote(run_id)}/programs", **query)

    def events(self, run_id: str, **query: Any) -> str:
        return self._path(f"/runs/{quote(run_id)}/events", **query)

    def lineage(self, run_id: str, **query: Any) -> str:
        return self._path(f"/runs/{quote(run_id)}/lineage", **query)

    def program(self, program_id: str, **query: Any) -> str:
        return self._path(f"/programs/{quote(program_id)}", **query)

    def compare(self, a: str | None = None, b: str | None = None) -> str:
        return self._path("/compare", a=a, b=b)

    def static(self, name: str) -> str:
        return f"{self.root}/static/{name}"

    def api(self, path: str) -> str:
        return f"{self.root}/api{path}"


@dataclass(frozen=True)
class Reader:
    """What a page reads with: one read-only connection and the aggregates memo."""

    conn: Connection
    memo: Memo


Builder = Callable[[Reader, Params, dict[str, str]], dict[str, Any]]
Presenter = Callable[[dict[str, Any], Urls], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    """A page: its path, its JSON twin's path under /api, its data and its template.

    ``stamp`` names what the page's live refresh polls: ``runs`` (any run changes), or
    ``run`` (the page's own run, found at ``data["run"]["id"]``), or nothing. ``title`` may
    name path parameters (``"Run {run_id}"``).
    """

    name: str
    path: str
    api: str
    build: Builder
    present: Presenter
    template: str
    title: str
    stamp: str | None = None
