"""Charts, the lineage tree, diffs and highlighting: what the server draws and escapes."""

from __future__ import annotations

import re
from typing import Any

from adrs.dashboard.charts import nice_ticks, score_chart, status_bar
from adrs.dashboard.diffs import changed_lines, side_rows, unified_rows, unified_text
from adrs.dashboard.highlight import highlight_lines
from adrs.dashboard.tree import lineage_svg


def _node(seq: int, parent: int | None, score: float | None = 1.0, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"p{seq}",
        "seq": seq,
        "parent_id": f"p{parent}" if parent is not None else None,
        "island": seq % 2,
        "state": "evaluated",
        "status": "ok" if score is not None else "error",
        "score": score,
        **extra,
    }


def test_ticks_are_round_numbers_covering_the_range() -> None:
    ticks = nice_ticks(0.0513, 0.0519)
    assert ticks[0] >= 0.0513 and ticks[-1] <= 0.0519 and len(ticks) >= 3
    assert all(re.fullmatch(r"0\.05\d+", f"{t:.5g}") for t in ticks)
    assert nice_ticks(0, 200) == [0, 50, 100, 150, 200]


def test_iteration_ticks_are_whole_numbers_even_for_a_run_just_begun() -> None:
    assert nice_ticks(0, 1, integer=True) == [0, 1]
    assert nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(0, 200, integer=True) == [0, 50, 100, 150, 200]
    only_the_seed = {"mode": "points", "count": 1, "points": [{"seq": 0, "score": 1.0}]}
    only_the_seed["points"][0].update(island=0, id="a")
    svg = str(
        score_chart(
            only_the_seed,
            [{"seq": 0, "score": 1.0, "id": "a"}],
            direction="maximize",
            metric="m",
            seed_score=1.0,
            program_url=lambda i: f"/programs/{i}",
        )
    )
    labels = re.findall(r'text-anchor="middle">(\d+)</text>', svg)
    assert labels == ["0", "1"]  # not 0 0 0 0 0 1


def test_score_chart_links_points_and_escapes_labels() -> None:
    series = {
        "mode": "points",
        "count": 3,
        "points": [
            {"seq": 0, "score": 5.0, "island": 0, "id": "a"},
            {"seq": 4, "score": 4.0, "island": 1, "id": "b"},
            {"seq": 9, "score": 99.0, "island": 0, "id": "c"},
        ],
    }
    bests = [{"seq": 0, "score": 5.0, "id": "a"}, {"seq": 4, "score": 4.0, "id": "b"}]
    svg = str(
        score_chart(
            series,
            bests,
            direction="minimize",
            metric="<b>m</b>",
            seed_score=5.0,
            program_url=lambda i: f"/programs/{i}",
        )
    )
    assert svg.count('<a href="/programs/') == 5  # three points and two new bests
    assert "&lt;b&gt;m&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'class="pt clipped"' in svg  # 99 is far outside the better half: drawn at the edge
    assert '<polyline class="best"' in svg


def test_status_bar_parts_are_proportional() -> None:
    svg = str(status_bar({"ok": 3, "error": 1}, width=100))
    widths = dict(re.findall(r'class="st-(\w+)" x="[0-9.]+" y="0" width="([0-9.]+)"', svg))
    assert widths == {"ok": "75.00", "error": "25.00"}


def test_the_tree_draws_the_focus_path_first_and_links_every_node() -> None:
    nodes = [_node(0, None), _node(1, 0), _node(2, 0, score=0.5), _node(3, 2), _node(4, 1, None)]
    svg = str(
        lineage_svg(
            nodes,
            colour_by="score",
            direction="minimize",
            path_ids={"p0", "p2", "p3"},
            focus_id="p3",
            label_all=True,
            node_url=lambda n: f"/programs/{n['id']}",
        )
    )
    assert svg.count("<circle") == 5
    assert svg.count('class="edge path"') == 2
    assert 'class="node scored path focus"' in svg
    assert 'class="node failed"' in svg
    ys = {
        m[0]: float(m[1]) for m in re.findall(r'data-seq="(\d)"><circle[^>]* cy="([0-9.]+)"', svg)
    }
    assert ys["3"] < ys["4"]  # the focus's branch is laid out above its sibling's


def test_a_very_deep_chain_is_laid_out_without_recursion() -> None:
    nodes = [_node(0, None)] + [_node(i, i - 1) for i in range(1, 3000)]
    svg = str(
        lineage_svg(
            nodes,
            colour_by="island",
            direction="maximize",
            path_ids=set(),
            focus_id=None,
            label_all=False,
            node_url=lambda n: "#",
        )
    )
    assert svg.count("<circle") == 3000


def test_unified_rows_number_both_sides() -> None:
    old = "a\nb\nc\nd\n"
    new = "a\nB\nc\nd\ne\n"
    rows = unified_rows(old, new, "python")
    kinds = [(r.kind, r.old_no, r.new_no) for r in rows]
    assert kinds[0][0] == "hunk"
    assert ("removed", 2, None) in kinds and ("added", None, 2) in kinds
    assert ("added", None, 5) in kinds
    assert changed_lines(old, new) == (1, 2)
    assert unified_text(old, new, "#1", "#2").splitlines()[:3] == [
        "--- #1",
        "+++ #2",
        "@@ -1,4 +1,5 @@",
    ]


def test_side_by_side_rows_pair_changed_lines() -> None:
    rows = [
        r
        for r in side_rows("x = 1\ny = 2\n", "x = 1\ny = 3\nz = 4\n", "python")
        if r.kind != "hunk"
    ]
    replace = next(r for r in rows if r.kind == "replace")
    assert (replace.old_no, replace.new_no) == (2, 2)
    extra = next(r for r in rows if r.new_no == 3)  # the longer side's extra line
    assert extra.old_no is None and extra.old_html is None


def test_highlighting_keeps_lines_and_escapes_them() -> None:
    source = 'def f():\n    """<script>\n    alert(1)</script>"""\n    return 1 < 2\n'
    lines = highlight_lines(source, "python")
    assert len(lines) == len(source.split("\n"))
    assert all("<script>" not in str(line) for line in lines)
    assert "&lt;script&gt;" in str(lines[1]) and 'class="sd"' in str(lines[2])  # docstring
    assert "&lt;" in str(lines[3])
