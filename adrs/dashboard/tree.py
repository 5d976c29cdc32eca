"""The lineage tree drawn as SVG: laid out left to right, one column per generation.

Nodes link to their program; colour says score (by rank among the nodes shown, so one
far-off score does not wash the rest out) or island; failed, rejected and pending
programs have their own look. The path from the root to the focus is drawn bold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from adrs.dashboard.charts import fmt, island_colour

DX, DY, R = 58, 16, 5
PAD_X, PAD_Y = 24, 16
RAMP = ("#f3eecb", "#b9dfa6", "#5fb8a6", "#2f7fb0", "#1f3d8a")  # worse to better


@dataclass
class _Node:
    data: dict[str, Any]
    children: list[_Node] = field(default_factory=list)
    depth: int = 0
    y: float = 0.0


def _ramp(t: float) -> str:
    t = min(1.0, max(0.0, t)) * (len(RAMP) - 1)
    i = min(int(t), len(RAMP) - 2)
    a, b = RAMP[i], RAMP[i + 1]
    mix = [
        round(int(a[k : k + 2], 16) * (1 - (t - i)) + int(b[k : k + 2], 16) * (t - i))
        for k in (1, 3, 5)
    ]
    return "#" + "".join(f"{c:02x}" for c in mix)


def score_colours(nodes: Sequence[dict[str, Any]], direction: str) -> dict[str, str]:
    """A colour per scored node by the rank of its score among them (best is darkest)."""
    scored = sorted(
        {n["score"] for n in nodes if n.get("score") is not None},
        reverse=direction == "minimize",
    )
    rank = {s: (i / (len(scored) - 1) if len(scored) > 1 else 1.0) for i, s in enumerate(scored)}
    return {n["id"]: _ramp(rank[n["score"]]) for n in nodes if n.get("score") is not None}


def _layout(nodes: Sequence[dict[str, Any]], first: set[str]) -> list[_Node]:
    """Roots of the forest, with depth and y set (leaves get consecutive rows).

    Children in ``first`` (the path to the focus) come before their siblings, so that the
    path runs along the top of the drawing.
    """
    by_id = {n["id"]: _Node(n) for n in nodes}
    roots: list[_Node] = []
    for node in by_id.values():
        parent = by_id.get(node.data.get("parent_id") or "")
        (parent.children if parent is not None else roots).append(node)

    def order(c: _Node) -> tuple[bool, int]:
        return c.data["id"] not in first, c.data["seq"]

    for node in by_id.values():
        node.children.sort(key=order)
    roots.sort(key=order)
    row = 0
    # iterative post-order: a deep tree must not hit Python's recursion limit
    stack: list[tuple[_Node, int, bool]] = [(r, 0, False) for r in reversed(roots)]
    while stack:
        node, depth, done = stack.pop()
        node.depth = depth
        if done:
            node.y = (node.children[0].y + node.children[-1].y) / 2
            continue
        if not node.children:
            node.y = row
            row += 1
            continue
        stack.append((node, depth, True))
        stack += [(c, depth + 1, False) for c in reversed(node.children)]
    return roots


def _walk(roots: list[_Node]) -> list[_Node]:
    out, stack = [], list(reversed(roots))
    while stack:
        node = stack.pop()
        out.append(node)
        stack += list(reversed(node.children))
    return out


def _node_class(data: dict[str, Any]) -> str:
    if data.get("placeholder"):
        return "more"
    if data["state"] == "rejected":
        return "rejected"
    if data["state"] == "pending":
        return "pending"
    return "scored" if data.get("score") is not None else "failed"


def lineage_svg(
    nodes: Sequence[dict[str, Any]],
    *,
    colour_by: str,
    direction: str,
    path_ids: set[str],
    focus_id: str | None,
    label_all: bool,
    node_url: Callable[[dict[str, Any]], str],
) -> Markup:
    """The tree of ``nodes`` (dicts with id, parent_id, seq, state, score, island)."""
    if not nodes:
        return Markup('<p class="empty">No programs to draw.</p>')
    roots = _layout(nodes, path_ids)
    ordered = _walk(roots)
    colours = score_colours([n.data for n in ordered if not n.data.get("placeholder")], direction)
    rows = max(n.y for n in ordered) + 1
    depth = max(n.depth for n in ordered) + 1
    width, height = PAD_X * 2 + DX * (depth - 1) + 150, PAD_Y * 2 + DY * (rows - 1)

    def pos(n: _Node) -> tuple[float, float]:
        return PAD_X + n.depth * DX, PAD_Y + n.y * DY

    out = [
        f'<svg class="tree" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'height="{height:.0f}" role="img" aria-label="lineage tree">'
    ]
    for node in ordered:
        x, y = pos(node)
        for child in node.children:
            cx, cy = pos(child)
            on_path = node.data["id"] in path_ids and child.data["id"] in path_ids
            cls = "edge path" if on_path else "edge"
            mid = x + DX / 2
            out.append(f'<path class="{cls}" d="M{x:.1f},{y:.1f} H{mid:.1f} V{cy:.1f} H{cx:.1f}"/>')
    for node in ordered:
        data, (x, y) = node.data, pos(node)
        kind = _node_class(data)
        if kind == "more":
            out.append(
                f'<a href="{escape(node_url(data))}" class="more"><text class="more" '
                f'x="{x - R:.1f}" y="{y + 4:.1f}">{escape(data["label"])}</text></a>'
            )
            continue
        if colour_by == "island":
            fill = island_colour(int(data["island"]))
        else:
            fill = colours.get(data["id"], "#ffffff")
        classes = [f"node {kind}"]
        if data["id"] in path_ids:
            classes.append("path")
        if data["id"] == focus_id:
            classes.append("focus")
        title = (
            f"#{data['seq']} island {data['island']} · {data.get('status') or data['state']}"
            f" · {fmt(data.get('score'))}"
        )
        label = ""
        if label_all or data["id"] in path_ids:
            label = (
                f'<text class="nlabel" x="{x + R + 3:.1f}" y="{y - 3:.1f}">#{data["seq"]}</text>'
            )
        out.append(
            f'<a href="{escape(node_url(data))}" data-seq="{int(data["seq"])}">'
            f'<circle class="{" ".join(classes)}" cx="{x:.1f}" cy="{y:.1f}" r="{R}" '
            f'fill="{fill if kind == "scored" else "#ffffff"}">'
            f"<title>{escape(title)}</title></circle>{label}</a>"
        )
    out.append("</svg>")
    return Markup("".join(out))
