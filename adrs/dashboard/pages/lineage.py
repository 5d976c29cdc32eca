"""The lineage page: a run's whole tree when it is small, else a window around one program.

The focus is the program given by ``?focus=`` (the run's best by default). The window
shows its ancestors (``more_ancestors`` pages further up), its children and theirs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from adrs.dashboard.charts import island_colour
from adrs.dashboard.errors import BadParameter
from adrs.dashboard.pages.base import Page, Reader, Urls
from adrs.dashboard.params import Params
from adrs.dashboard.queries import lineage, runs
from adrs.dashboard.queries.programs import get_program
from adrs.dashboard.queries.progress import SUMMARY_KEYS
from adrs.dashboard.tree import lineage_svg

VIEWS = ("auto", "whole", "window")
COLOURS = ("score", "island")
LABEL_ALL_UP_TO = 80  # nodes; a bigger whole tree labels only the path to the focus


def _path_in(nodes: list[dict[str, Any]], focus_id: str) -> list[str]:
    """Ids from the root to the focus, following parents among ``nodes``."""
    by_id = {n["id"]: n for n in nodes}
    chain, at = [], by_id.get(focus_id)
    while at is not None:
        chain.append(at["id"])
        at = by_id.get(at.get("parent_id") or "")
    return chain[::-1]


def _window(conn: Connection, focus: dict[str, Any], rejected: bool) -> dict[str, Any]:
    above = lineage.ancestors(conn, focus["id"])
    parent_id = focus["parent_id"] if above else None
    kids = lineage.children_of(conn, [focus["id"]], lineage.CHILDREN, rejected)[focus["id"]]
    grandkids = lineage.children_of(conn, [k["id"] for k in kids], lineage.GRANDCHILDREN, rejected)
    siblings: list[dict[str, Any]] = []
    if parent_id is not None:  # the focus's brothers and sisters: did one of them do better?
        found = lineage.children_of(conn, [parent_id], lineage.CHILDREN, rejected)[parent_id]
        siblings = [s for s in found if s["id"] != focus["id"]]
    shown = {focus["id"]: len(kids), **{k: len(v) for k, v in grandkids.items()}}
    if parent_id is not None:
        shown[parent_id] = len(siblings) + 1
    counts = lineage.child_counts(conn, list(shown), rejected)
    hidden = {pid: counts.get(pid, 0) - n for pid, n in shown.items() if counts.get(pid, 0) > n}
    nodes = [
        *reversed(above),
        *siblings,
        focus,
        *kids,
        *(g for v in grandkids.values() for g in v),
    ]
    top = above[-1] if above else focus
    return {
        "nodes": nodes,
        "path": [a["id"] for a in reversed(above)] + [focus["id"]],
        "more_ancestors": top["id"] if top.get("parent_id") else None,
        "hidden_children": hidden,
    }


def build(src: Reader, params: Params, path: dict[str, str]) -> dict[str, Any]:
    conn = src.conn
    run = runs.brief(conn, path["run_id"])
    view = params.choice("view", "auto", VIEWS)
    colour = params.choice("colour", "score", COLOURS)
    rejected = params.flag("rejected")
    out: dict[str, Any] = {
        "run": run,
        "focus": None,  # a run whose seed is not stored yet has nothing to draw
        "mode": "window",
        "colour": colour,
        "rejected": rejected,
        "nodes": [],
        "path": [],
        "more_ancestors": None,
        "hidden_children": {},
    }
    focus_ident = params.text("focus") or run["best_program_id"] or run["seed_program_id"]
    if focus_ident is None:
        return out
    focus = get_program(conn, focus_ident)
    if focus["run_id"] != run["id"]:
        raise BadParameter(f"focus: program {focus['id']} belongs to run {focus['run_id']}")
    out["focus"] = {k: focus[k] for k in SUMMARY_KEYS}
    small = view != "window" and lineage.is_small(conn, run["id"], rejected)
    if view == "whole" and not small:
        raise BadParameter(
            f"view=whole: this run has more than {lineage.WHOLE_TREE_LIMIT} programs to draw; "
            "use view=window"
        )
    if not small:
        out.update(_window(conn, focus, rejected))
        return out
    nodes = lineage.whole_tree(conn, run["id"], rejected)
    if all(n["id"] != focus["id"] for n in nodes):  # a rejected focus, hidden by default
        nodes.append(out["focus"])
    out.update(mode="whole", nodes=nodes, path=_path_in(nodes, focus["id"]))
    return out


def present(data: dict[str, Any], urls: Urls) -> dict[str, Any]:
    run = data["run"]
    nodes = list(data["nodes"])
    for parent_id, n in data["hidden_children"].items():
        nodes.append(
            {
                "id": f"more-{parent_id}",
                "parent_id": parent_id,
                "seq": 10**12,
                "placeholder": True,
                "label": f"+{n} more",
                "target": parent_id,
            }
        )

    def node_url(node: dict[str, Any]) -> str:
        if node.get("placeholder"):
            return urls.program(node["target"]) + "#children"
        return urls.program(node["id"])

    def link(**changes: Any) -> str:
        query = {
            "focus": data["focus"]["id"] if data["focus"] else None,
            "colour": data["colour"],
            "rejected": 1 if data["rejected"] else None,
            **changes,
        }
        return urls.lineage(run["id"], **query)

    islands = sorted({int(n["island"]) for n in nodes if not n.get("placeholder")})
    return {
        # the key to the colours when the tree is coloured by island
        "island_keys": [(i, island_colour(i)) for i in islands],
        "tree": lineage_svg(
            nodes,
            colour_by=data["colour"],
            direction=run["objective_direction"],
            path_ids=set(data["path"]),
            focus_id=data["focus"]["id"] if data["focus"] else None,
            label_all=data["mode"] == "window" or len(nodes) <= LABEL_ALL_UP_TO,
            node_url=node_url,
        ),
        "link": link,
    }


PAGE = Page(
    name="lineage",
    path="/runs/{run_id}/lineage",
    api="/runs/{run_id}/lineage",
    build=build,
    present=present,
    template="lineage.html",
    title="Lineage in {run_id}",
    stamp="run",
)
