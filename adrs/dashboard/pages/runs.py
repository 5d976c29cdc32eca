"""The runs page: every run in the archive, sortable, a page at a time."""

from __future__ import annotations

from typing import Any

from adrs.dashboard.charts import status_bar
from adrs.dashboard.pages.base import Page, Reader, Urls
from adrs.dashboard.params import Params
from adrs.dashboard.queries import runs

PER_PAGE = 25
SORTS = (*runs.SORT_KEYS, "elapsed")


def build(src: Reader, params: Params, _path: dict[str, str]) -> dict[str, Any]:
    conn = src.conn
    sort = params.choice("sort", "created", SORTS)
    order = params.choice("order", "desc", ("asc", "desc"))
    listing = runs.list_runs(conn, sort=sort, order=order, paging=params.paging(PER_PAGE))
    for run in listing["runs"]:
        statuses = run["statuses"]
        run["failures"] = sum(n for k, n in statuses.items() if k not in ("ok", "pending"))
    return listing


def present(data: dict[str, Any], urls: Urls) -> dict[str, Any]:
    def sort_link(key: str) -> str:
        order = "asc" if data["sort"] == key and data["order"] == "desc" else "desc"
        return urls.runs(sort=key, order=order)

    return {
        "bars": {r["id"]: status_bar(r["statuses"]) for r in data["runs"]},
        "sort_link": sort_link,
        "page_link": lambda n: urls.runs(sort=data["sort"], order=data["order"], page=n),
    }


PAGE = Page(
    name="runs",
    path="/",
    api="/runs",
    build=build,
    present=present,
    template="runs.html",
    title="Runs",
    stamp="runs",
)
