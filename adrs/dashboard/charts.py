"""Charts drawn on the server as SVG: scores over iterations, and outcome bars.

Every label that comes from the archive is escaped; colours are attributes or classes
(the pages' Content-Security-Policy allows no inline styles or scripts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup, escape

ISLAND_COLOURS = ("#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#be185d")
STATUS_ORDER = (
    *("ok", "invalid_output", "error", "timeout", "memory", "output_limit"),
    *("tampered", "pending", "rejected"),
)

W, H = 820, 280
MAX_MARKED = 60  # new bests drawn as markers; past this only the line shows them
LEFT, RIGHT, TOP, BOTTOM = 72, 18, 14, 38


def island_colour(island: int) -> str:
    return ISLAND_COLOURS[island % len(ISLAND_COLOURS)]


def fmt(value: float | None) -> str:
    """A score for a label: 4 significant digits."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.4g}"


def nice_ticks(lo: float, hi: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``[lo, hi]``; with
    ``integer`` only whole numbers (iterations: a run of one iteration has ticks 0 and 1)."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if integer:
        step = max(step, 1)
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step) + 1)]


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class _Scale:
    """Maps iterations and scores to the plot area; scores beyond the range are clipped."""

    def __init__(self, x_max: float, y_lo: float, y_hi: float) -> None:
        self.x_max = max(x_max, 1.0)
        pad = (y_hi - y_lo) * 0.05 or abs(y_hi) * 0.05 or 1.0
        self.y_lo, self.y_hi = y_lo - pad, y_hi + pad

    def x(self, seq: float) -> float:
        return LEFT + (W - LEFT - RIGHT) * seq / self.x_max

    def y(self, score: float) -> float:
        t = (score - self.y_lo) / (self.y_hi - self.y_lo)
        return TOP + (H - TOP - BOTTOM) * (1 - min(1.0, max(0.0, t)))

    def clipped(self, score: float) -> bool:
        return not self.y_lo <= score <= self.y_hi


def _values(series: dict[str, Any]) -> list[float]:
    if series["mode"] == "points":
        return [p["score"] for p in series["points"]]
    return [v for b in series["buckets"] for v in (b["min"], b["max"])]


def _axes(scale: _Scale, metric: str) -> list[str]:
    out = [f'<line class="axis" x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}"/>']
    out.append(f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}"/>')
    for v in nice_ticks(scale.y_lo, scale.y_hi):
        y = scale.y(v)
        out.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">')
        out.append(f"{fmt(v)}</text>")
    for v in nice_ticks(0, scale.x_max, integer=True):
        x = scale.x(v)
        out.append(f'<text class="tick" x="{x:.1f}" y="{H - BOTTOM + 16}" text-anchor="middle">')
        out.append(f"{int(v)}</text>")
    out.append(f'<text class="label" x="{(LEFT + W - RIGHT) / 2}" y="{H - 4}" ')
    out.append('text-anchor="middle">iteration</text>')
    out.append(f'<text class="label" x="14" y="{TOP + (H - TOP - BOTTOM) / 2}" ')
    out.append(f'text-anchor="middle" transform="rotate(-90 14 {TOP + (H - TOP - BOTTOM) / 2})">')
    out.append(f"{escape(metric)}</text>")
    return out


def score_chart(
    series: dict[str, Any],
    improvements: Sequence[dict[str, Any]],
    *,
    direction: str,
    metric: str,
    seed_score: float | None,
    program_url: Callable[[str], str],
    focus: bool = True,
) -> Markup:
    """Every scored program (or min-max bands for big runs) and the best-so-far line.

    With ``focus`` the range covers the better half of the scores, else all of them.
    """
    values = _values(series)
    if not values:
        return Markup('<p class="empty">No program has a score yet.</p>')
    bests = [i["score"] for i in improvements]
    extra = [*bests, *([seed_score] if seed_score is not None else [])]
    lo, hi = min([*values, *extra]), max([*values, *extra])
    if focus:
        # the better half of the scores (and the seed) sets the range, so that the climb
        # of the best is visible; worse scores are drawn faded at the edge
        if direction == "minimize":
            hi = max([_percentile(values, 0.5), *extra])
        else:
            lo = min([_percentile(values, 0.5), *extra])
    if series["mode"] == "points":
        x_max = max(p["seq"] for p in series["points"])
    else:
        x_max = series["buckets"][-1]["to"]
    scale = _Scale(x_max, lo, hi)
    out = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{escape(metric)} by iteration">'
    ]
    out += _axes(scale, metric)
    if seed_score is not None:
        y = scale.y(seed_score)
        out.append(f'<line class="seed" x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}"/>')
        out.append(f'<text class="seed-label" x="{W - RIGHT - 4}" y="{y - 4:.1f}" ')
        out.append('text-anchor="end">seed</text>')
    if series["mode"] == "points":
        for p in series["points"]:
            cls = "pt clipped" if scale.clipped(p["score"]) else "pt"
            out.append(
                f'<a href="{escape(program_url(p["id"]))}"><circle class="{cls}" '
                f'cx="{scale.x(p["seq"]):.1f}" cy="{scale.y(p["score"]):.1f}" r="3" '
                f'fill="{island_colour(p["island"])}"><title>#{p["seq"]} island {p["island"]}: '
                f"{fmt(p['score'])}</title></circle></a>"
            )
    else:
        for b in series["buckets"]:
            x = scale.x((b["from"] + b["to"]) / 2)
            out.append(
                f'<line class="band" x1="{x:.1f}" x2="{x:.1f}" y1="{scale.y(b["min"]):.1f}" '
                f'y2="{scale.y(b["max"]):.1f}"><title>iterations {b["from"]}-{b["to"]}: '
                f"{b['count']} scored, {fmt(b['min'])} to {fmt(b['max'])}</title></line>"
            )
    if improvements:
        steps: list[tuple[float, float]] = []  # a step line: level until the next best
        for imp in improvements:
            x, y = scale.x(imp["seq"]), scale.y(imp["score"])
            if steps:
                steps.append((x, steps[-1][1]))
            steps.append((x, y))
        steps.append((scale.x(scale.x_max), steps[-1][1]))
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in steps)
        out.append(f'<polyline class="best" points="{points}"/>')
        for imp in improvements if len(improvements) <= MAX_MARKED else ():
            circle = (
                f'<circle class="improvement" cx="{scale.x(imp["seq"]):.1f}" '
                f'cy="{scale.y(imp["score"]):.1f}" r="4.5"><title>new best at #{imp["seq"]}: '
                f"{fmt(imp['score'])}</title></circle>"
            )
            if imp.get("id"):
                circle = f'<a href="{escape(program_url(imp["id"]))}">{circle}</a>'
            out.append(circle)
    out.append("</svg>")
    return Markup("".join(out))


def status_bar(statuses: dict[str, int], width: int = 160, height: int = 12) -> Markup:
    """A stacked bar of programs by outcome; each part's title says what it counts."""
    total = sum(statuses.values())
    if not total:
        return Markup("")
    keys = [k for k in STATUS_ORDER if k in statuses] + sorted(set(statuses) - set(STATUS_ORDER))
    out = [f'<svg class="statusbar" viewBox="0 0 {width} {height}" width="{width}" ']
    out.append(f'height="{height}" role="img" aria-label="programs by outcome">')
    x = 0.0
    for key in keys:
        w = width * statuses[key] / total
        out.append(
            f'<rect class="st-{escape(key)}" x="{x:.2f}" y="0" width="{w:.2f}" '
            f'height="{height}"><title>{escape(key)}: {statuses[key]}</title></rect>'
        )
        x += w
    out.append("</svg>")
    return Markup("".join(out))
