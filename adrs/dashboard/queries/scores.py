"""A run's scores by iteration, from one scan of a covering index.

The scan reads (iteration, score, island) of the run's scored programs from
``ix_programs_run_seq_score`` without touching table rows; from it come the chart (every
point, or the lowest and highest score per bucket of iterations for big runs), each new
best of the run and of each island, and each island's best. What comes back is bounded
(``MAX_POINTS`` points or ``BUCKETS`` buckets, a handful of improvements), whatever the
run's size; the page keeps it until the run changes (see ``memo``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from adrs.archive.models import LLMCall, Program

MAX_POINTS = 1500  # up to this many scored programs each is a point of its own
BUCKETS = 300  # beyond, the chart shows min and max per bucket of iterations


def _buckets(found: Sequence[Any]) -> dict[str, Any]:
    width = max(1, math.ceil((int(found[-1][0]) + 1) / BUCKETS))
    lows: dict[int, float] = {}
    highs: dict[int, float] = {}
    counts: dict[int, int] = {}
    for seq, score, _island in found:
        start = seq - seq % width
        if start in counts:
            counts[start] += 1
            if score < lows[start]:
                lows[start] = score
            elif score > highs[start]:
                highs[start] = score
        else:
            lows[start] = highs[start] = score
            counts[start] = 1
    return {
        "mode": "buckets",
        "count": len(found),
        "width": width,
        "buckets": [
            {"from": s, "to": s + width - 1, "min": lows[s], "max": highs[s], "count": n}
            for s, n in counts.items()
        ],
    }


def summarize(
    conn: Connection, run_id: str, direction: str, seed_score: float | None
) -> dict[str, Any]:
    """The chart series, the run's new bests and each island's best and last improvement.

    The seed counts as a member of every island, as it does in the search.
    """
    found = conn.execute(
        select(Program.seq, Program.score, Program.island)
        .where(Program.run_id == run_id, Program.score.is_not(None))
        .order_by(Program.seq)
    ).all()
    sign = 1.0 if direction == "minimize" else -1.0  # compare sign * score: lower is better
    seed_key = math.inf if seed_score is None else sign * seed_score
    overall: list[dict[str, Any]] = []
    best_key = math.inf
    own_best: dict[int, float] = {}  # best key among the island's own programs
    record: dict[int, float] = {}  # best key the island has held, the seed's included
    last: dict[int, int] = {}
    scored: dict[int, int] = {}
    for seq, score, island in found:
        if score is None:  # excluded by the query; this tells the type checker
            continue
        key = sign * score
        if key < best_key:
            best_key = key
            overall.append({"seq": seq, "score": score, "island": island})
        if island in scored:
            scored[island] += 1
            if key < own_best[island]:
                own_best[island] = key
        else:
            scored[island], own_best[island] = 1, key
        if key < record.get(island, seed_key) or seq == 0:
            record[island], last[island] = key, seq
    islands = {
        i: {"scored": n, "best": sign * own_best[i], "last_improvement": last.get(i)}
        for i, n in scored.items()
    }
    if not found:
        series: dict[str, Any] = {"mode": "points", "count": 0, "points": []}
    elif len(found) <= MAX_POINTS:
        series = {
            "mode": "points",
            "count": len(found),
            "points": [{"seq": s, "score": v, "island": i} for s, v, i in found],
        }
    else:
        series = _buckets(found)
    wanted = [o["seq"] for o in overall]
    if series["mode"] == "points":
        wanted += [p["seq"] for p in series["points"]]
    ids = ids_by_seq(conn, run_id, sorted(set(wanted)))
    for item in (*overall, *series.get("points", ())):
        item["id"] = ids.get(item["seq"])
    models = models_by_program(conn, [o["id"] for o in overall if o["id"]])
    for item in overall:
        item["model"] = models.get(item["id"] or "")
    return {"series": series, "improvements": overall, "islands": islands}


def ids_by_seq(conn: Connection, run_id: str, seqs: Sequence[int]) -> dict[int, str]:
    """Program ids by iteration, for a bounded list of iterations."""
    out: dict[int, str] = {}
    for start in range(0, len(seqs), 500):  # keep each IN list well under driver limits
        chunk = list(seqs[start : start + 500])
        found = conn.execute(
            select(Program.seq, Program.id).where(Program.run_id == run_id, Program.seq.in_(chunk))
        ).all()
        out.update({int(s): str(i) for s, i in found})
    return out


def models_by_program(conn: Connection, program_ids: Sequence[str]) -> dict[str, str]:
    """The model whose call produced each of a few programs."""
    if not program_ids:
        return {}
    found = conn.execute(
        select(LLMCall.program_id, LLMCall.model).where(LLMCall.program_id.in_(program_ids))
    ).all()
    return {str(p): str(m) for p, m in found}
