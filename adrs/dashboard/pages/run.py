"""A run's pages: its progress (charts, islands, models, events, top programs, held-out
validation), the paged list of its programs, and its event log."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection

from adrs.dashboard.charts import island_colour, score_chart, status_bar
from adrs.dashboard.pages.base import Page, Reader, Urls
from adrs.dashboard.params import Params
from adrs.dashboard.queries import progress, runs, scores
from adrs.dashboard.queries.programs import PROGRAM_FILTERS, PROGRAM_SORTS, run_programs

TOP = 10
EVENTS_ON_RUN_PAGE = 12
EVENTS_PER_PAGE = 50
PROGRAMS_PER_PAGE = 50


def _models(conn: Connection, run_id: str, overall: list[dict[str, Any]]) -> list[dict[str, Any]]:
    credited = Counter(i["model"] for i in overall if i.get("model"))
    total = sum(credited.values())
    rows = progress.models(conn, run_id)
    for row in rows:
        row["improvements"] = credited.get(row["model"], 0)
        row["share"] = row["improvements"] / total if total else None
    return rows


def aggregates(conn: Connection, run: dict[str, Any]) -> dict[str, Any]:
    """The run page's whole-run figures: scores, new bests, islands, models, outcomes."""
    found = scores.summarize(conn, run["id"], run["objective_direction"], run["seed_score"])
    sizes = progress.island_sizes(conn, run["id"])
    empty = {"scored": 0, "best": None, "last_improvement": None}
    islands = [
        {"island": i, "programs": sizes.get(i, 0), **found["islands"].get(i, empty)}
        for i in sorted({*sizes, *found["islands"]})
    ]
    return {
        "series": found["series"],
        "improvements": found["improvements"],
        "islands": islands,
        "models": _models(conn, run["id"], found["improvements"]),
        "statuses": runs.status_counts(conn, [run["id"]]).get(run["id"], {}),
    }


def build(src: Reader, params: Params, path: dict[str, str]) -> dict[str, Any]:
    conn = src.conn
    run = runs.get_run(conn, path["run_id"])
    stamp = runs.stamp(conn, run["id"])["stamp"]
    # whole-run figures are kept until the run records something new
    figures = src.memo.get(("run", run["id"], stamp), lambda: aggregates(conn, run))
    run["statuses"] = figures["statuses"]
    return {
        "run": run,
        "chart_range": params.choice("range", "focus", ("focus", "all")),
        "series": figures["series"],
        "improvements": figures["improvements"],
        "islands": figures["islands"],
        "models": figures["models"],
        "events": runs.events(conn, run["id"], before=None, limit=EVENTS_ON_RUN_PAGE),
        "top": progress.top_programs(conn, run["id"], run["objective_direction"], TOP),
        "validation": progress.validation(conn, run["id"]),
    }


def present(data: dict[str, Any], urls: Urls) -> dict[str, Any]:
    run = data["run"]
    return {
        "chart": score_chart(
            data["series"],
            data["improvements"],
            direction=run["objective_direction"],
            metric=run["objective_metric"],
            seed_score=run["seed_score"],
            program_url=urls.program,
            focus=data["chart_range"] == "focus",
        ),
        "range_link": lambda r: urls.run(run["id"], range=r),
        "bar": status_bar(run["statuses"], width=320, height=14),
        "island_colour": island_colour,
    }


def build_programs(src: Reader, params: Params, path: dict[str, str]) -> dict[str, Any]:
    conn = src.conn
    run = runs.brief(conn, path["run_id"])
    listing = run_programs(
        conn,
        run["id"],
        run["objective_direction"],
        sort=params.choice("sort", "seq", PROGRAM_SORTS),
        show=params.choice("show", "all", PROGRAM_FILTERS),
        paging=params.paging(PROGRAMS_PER_PAGE),
    )
    return {"run": run, "programs": listing}


def present_programs(data: dict[str, Any], urls: Urls) -> dict[str, Any]:
    run_id, listing = data["run"]["id"], data["programs"]

    def link(**changes: Any) -> str:
        return urls.programs(
            run_id, **{"sort": listing["sort"], "show": listing["show"], **changes}
        )

    return {"filters": PROGRAM_FILTERS, "link": link, "link_page": lambda n: link(page=n)}


def build_events(src: Reader, params: Params, path: dict[str, str]) -> dict[str, Any]:
    conn = src.conn
    run = runs.brief(conn, path["run_id"])
    before = params.integer("before", None, low=1, high=2**62)
    return {
        "run": run,
        "before": before,
        "events": runs.events(conn, run["id"], before=before, limit=EVENTS_PER_PAGE),
    }


def _nothing(_data: dict[str, Any], _urls: Urls) -> dict[str, Any]:
    return {}


PAGE = Page(
    name="run",
    path="/runs/{run_id}",
    api="/runs/{run_id}",
    build=build,
    present=present,
    template="run.html",
    title="Run {run_id}",
    stamp="run",
)
PROGRAMS = Page(
    name="programs",
    path="/runs/{run_id}/programs",
    api="/runs/{run_id}/programs",
    build=build_programs,
    present=present_programs,
    template="programs.html",
    title="Programs of {run_id}",
    stamp="run",
)
EVENTS = Page(
    name="events",
    path="/runs/{run_id}/events",
    api="/runs/{run_id}/events",
    build=build_events,
    present=_nothing,
    template="events.html",
    title="Events of {run_id}",
)
