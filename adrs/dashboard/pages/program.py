"""A program's page: code, diffs to its parents, metrics, per-case results, evaluation
logs, the prompt and response that produced it, and its children; and the compare page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from adrs.dashboard.diffs import changed_lines, side_rows, unified_rows, unified_text
from adrs.dashboard.errors import BadParameter
from adrs.dashboard.highlight import highlight_lines
from adrs.dashboard.pages.base import Page, Reader, Urls
from adrs.dashboard.params import Params
from adrs.dashboard.queries import programs, runs
from adrs.dashboard.queries.progress import SUMMARY_KEYS

CHILDREN_PER_PAGE = 25
MAX_CASE_ROWS = 500
MAX_CASE_COLUMNS = 10
DIFF_KINDS = ("parent", "crossover")  # edges whose source the child was edited from


def _summary(p: dict[str, Any]) -> dict[str, Any]:
    return {k: p[k] for k in SUMMARY_KEYS}


def _parents(conn: Connection, program: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    edges = programs.edges(conn, program["id"])
    if program["parent_id"] and all(e["parent_id"] != program["parent_id"] for e in edges):
        edges.insert(0, {"parent_id": program["parent_id"], "kind": "parent"})
    found = programs.sources(conn, list(dict.fromkeys(e["parent_id"] for e in edges)))
    parents, inspirations = [], []
    for edge in edges:
        other = found.get(edge["parent_id"])
        if other is None:
            continue
        if edge["kind"] in DIFF_KINDS:
            removed, added = changed_lines(other["source"], program["source"])
            parents.append(
                {
                    **_summary(other),
                    "kind": edge["kind"],
                    "diff": unified_text(
                        other["source"], program["source"], f"#{other['seq']}", f"#{program['seq']}"
                    ),
                    "removed": removed,
                    "added": added,
                    "_source": other["source"],  # for the page only, not the API
                }
            )
        else:
            inspirations.append({**_summary(other), "kind": edge["kind"]})
    return {"parents": parents, "inspirations": inspirations}


def build(src: Reader, params: Params, path: dict[str, str]) -> dict[str, Any]:
    conn = src.conn
    program = programs.get_program(conn, path["program_id"])
    return {
        "program": program,
        "run": runs.brief(conn, program["run_id"]),
        **_parents(conn, program),
        "evaluations": programs.evaluations(conn, program["id"]),
        "calls": programs.calls(conn, program["id"]),
        "children": programs.children(
            conn, program["id"], params.paging(CHILDREN_PER_PAGE, "children_page")
        ),
    }


def case_table(cases: list[dict[str, Any]], metric: str) -> dict[str, Any]:
    """Per-case results as a table: metric columns (the objective first), capped."""
    columns: dict[str, None] = {}
    for case in cases:
        for key in case.get("metrics") or {}:
            columns.setdefault(str(key), None)
    names = sorted(columns, key=lambda k: (k != metric, k == "elapsed_s", k))
    return {
        "columns": names[:MAX_CASE_COLUMNS],
        "hidden_columns": max(0, len(names) - MAX_CASE_COLUMNS),
        "rows": cases[:MAX_CASE_ROWS],
        "hidden_rows": max(0, len(cases) - MAX_CASE_ROWS),
        "errors": any(c.get("error") for c in cases),
    }


def present(data: dict[str, Any], urls: Urls) -> dict[str, Any]:
    program, run = data["program"], data["run"]
    language = program["language"]
    code = highlight_lines(program["source"], language)
    if len(code) > 1 and program["source"].endswith("\n"):
        code.pop()  # the empty "line" after the final newline
    return {
        "code": code,
        "diffs": {
            p["id"]: unified_rows(p["_source"], program["source"], language)
            for p in data["parents"]
        },
        "case_tables": {
            e["id"]: case_table(e["cases"] or [], run["objective_metric"])
            for e in data["evaluations"]
        },
        "children_link": lambda n: urls.program(program["id"], children_page=n) + "#children",
        # the stage that decided the program's outcome is shown open
        "open_evaluation": next(
            (e["id"] for e in reversed(data["evaluations"]) if e["purpose"] == "search"),
            data["evaluations"][-1]["id"] if data["evaluations"] else None,
        ),
    }


def build_compare(src: Reader, params: Params, _path: dict[str, str]) -> dict[str, Any]:
    conn = src.conn
    # a=ID&b=ID from links, or p=ID twice from the tick boxes of a listing
    named = [params.text("a"), params.text("b")]
    ticked = [p.strip() for p in params.lists.get("p", [])]
    picked = [x for x in [*named, *ticked] if x]
    if len(picked) != 2:
        raise BadParameter(f"compare: choose exactly two programs (a=ID&b=ID), got {len(picked)}")
    left = programs.get_program(conn, picked[0])
    right = programs.get_program(conn, picked[1])
    names = sorted({*left["metrics"], *right["metrics"]})
    metrics = []
    for name in names:
        x, y = left["metrics"].get(name), right["metrics"].get(name)
        delta = y - x if isinstance(x, int | float) and isinstance(y, int | float) else None
        metrics.append({"name": name, "a": x, "b": y, "delta": delta})
    run = runs.brief(conn, left["run_id"])
    return {
        "run": run,
        "a": left,
        "b": right,
        "same_run": left["run_id"] == right["run_id"],
        "metrics": metrics,
        "diff": unified_text(
            left["source"], right["source"], f"#{left['seq']}", f"#{right['seq']}"
        ),
    }


def present_compare(data: dict[str, Any], urls: Urls) -> dict[str, Any]:
    return {
        "rows": side_rows(data["a"]["source"], data["b"]["source"], data["a"]["language"]),
        "swap": urls.compare(data["b"]["id"], data["a"]["id"]),
    }


PAGE = Page(
    name="program",
    path="/programs/{program_id}",
    api="/programs/{program_id}",
    build=build,
    present=present,
    template="program.html",
    title="Program {program_id:.8}",
    stamp="run",
)
COMPARE = Page(
    name="compare",
    path="/compare",
    api="/compare",
    build=build_compare,
    present=present_compare,
    template="compare.html",
    title="Compare",
)
