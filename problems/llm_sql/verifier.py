"""Trusted verifier for llm_sql: checks a reordering and recomputes the prefix hit rate.

The candidate returns indexes only (a row order and, per output row, a field order); the
prompts are rebuilt here from the host's own copy of the table, so whatever a candidate
does to the table it was handed inside the sandbox cannot change what is scored. Checked:
every input row appears exactly once; every output row's fields are a permutation of that
row's own columns; every group of columns stays together, in its order; and the table is
not changed in place (``driver.py`` hands it back after the call, and it is compared with
the host's copy, which the sandbox never touches).

Score per case: 0.95 x hit rate + 0.05 x speed, where speed = 1 - elapsed / budget
(clipped at 0; the budget is 12 s for the 28,479-row beer table, pro rata by rows), the
weighting of the published evaluator. Workloads: synthetic tables by default; the beer
table when the ``ADRS_DATA_DIR`` environment variable names a directory with
``llm_sql/beer.csv``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluators.data_dir import problem_data
from evaluators.prefix_reuse import metrics
from evaluators.prefix_reuse.tables import Table, generate, read_csv, slice_rows
from evaluators.verdict import InvalidOutput

HIT_WEIGHT = 0.95
BUDGET_S_PER_ROW = 12.0 / 28_479
SYNTHETIC = (("reviews", 2000), ("movies", 1200), ("products", 1500), ("questions", 1500))
BEER = "llm_sql/beer.csv"
BEER_MERGE = (("beer/beerId", "beer/name"),)
# Search and heldout take disjoint quarters of the beer table (an export ordered by
# brewery, so the splits hold different beers).
BEER_SLICES = {
    "search": ((0, 7_120), (7_120, 14_240)),
    "heldout": ((14_240, 21_360), (21_360, None)),
}

_lock = threading.Lock()
_references: dict[str, dict[str, float]] = {}


def data_dir() -> Path | None:
    """The data directory holding ``llm_sql/``, when ``ADRS_DATA_DIR`` names one."""
    folder = problem_data("llm_sql")
    return folder.parent if folder is not None else None


def _case(case_id: str, source: str, table: Table) -> dict[str, Any]:
    return {
        "id": case_id,
        "input": table.to_input(),
        "source": source,
        "budget_s": BUDGET_S_PER_ROW * len(table.rows),
    }


def cases(split: str, seed: int) -> list[dict[str, Any]]:
    """Four synthetic tables per split, or slices of the beer table when data is given."""
    if split not in BEER_SLICES:
        raise ValueError(f"unknown split {split!r}")
    root = data_dir()
    if root is None:
        return [
            _case(
                f"{split}-{kind}",
                f"synthetic:{kind}:{seed}:{split}",
                generate(kind, f"{seed}:{split}", rows),
            )
            for kind, rows in SYNTHETIC
        ]
    beer = read_csv(root / BEER, BEER_MERGE)
    out = []
    for start, stop in BEER_SLICES[split]:
        part = slice_rows(beer, start, stop if stop is not None else len(beer.rows))
        end = start + len(part.rows)
        out.append(_case(f"{split}-beer-{start}-{end}", f"beer:{root}:{start}:{end}", part))
    return out


def _indexes(value: Any, what: str) -> list[int]:
    if not isinstance(value, list):
        raise InvalidOutput(f"{what} must be a list of integers, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, int) or isinstance(item, bool):
            raise InvalidOutput(f"{what}: {str(item)[:40]!r} is not an integer index")
    return value


def check_output(
    output: Any, rows: int, columns: int, groups: Sequence[Sequence[int]]
) -> tuple[list[int], list[list[int]]]:
    """The row order and field orders, or InvalidOutput saying what is wrong and where."""
    if not isinstance(output, list) or len(output) != 2:
        raise InvalidOutput("expected [order, fields]: a row order and one field order per row")
    order = _indexes(output[0], "the row order")
    if len(order) != rows:
        raise InvalidOutput(f"the row order has {len(order)} entries, the table {rows} rows")
    seen = bytearray(rows)
    for k, r in enumerate(order):
        if not 0 <= r < rows:
            raise InvalidOutput(
                f"the row order names row {r} at position {k} (rows are 0..{rows - 1})"
            )
        if seen[r]:
            raise InvalidOutput(f"the row order names row {r} twice")
        seen[r] = 1
    fields = output[1]
    if not isinstance(fields, list) or len(fields) != rows:
        raise InvalidOutput(f"fields must hold one column order per row ({rows})")
    full = list(range(columns))
    for k, order_k in enumerate(fields):
        where = f"fields of output row {k} (input row {order[k]})"
        cols = _indexes(order_k, where)
        if sorted(cols) != full:
            raise InvalidOutput(f"{where}: not a permutation of the {columns} columns")
        position = {c: p for p, c in enumerate(cols)}
        for group in groups:
            start = position[group[0]]
            if any(position[c] != start + i for i, c in enumerate(group)):
                raise InvalidOutput(
                    f"{where}: columns {list(group)} must stay together, in that order"
                )
    return order, fields


def _reference(case: dict[str, Any]) -> dict[str, float]:
    """The stored order's hit rate (rows and columns as given, groups kept together) and
    the upper bound (computed once per case)."""
    source = str(case["source"])
    with _lock:
        known = _references.get(source)
    if known is not None:
        return known
    rows = case["input"]["rows"]
    stored = metrics.stored_order(len(case["input"]["columns"]), case["input"]["groups"])
    original = [metrics.render(row, stored) for row in rows]
    out = {
        "original_hit_rate": metrics.hit_rate(original),
        "original_adjacent_hit_rate": metrics.adjacent_hit_rate(original),
        "bound_hit_rate": metrics.upper_bound(rows),
    }
    with _lock:
        _references[source] = out
    return out


def check_unchanged(table: dict[str, Any], after: Any) -> None:
    """InvalidOutput, saying where, unless ``after`` is ``[columns, rows, groups]`` exactly
    as the host holds them: the candidate must not change its input table in place."""
    if not isinstance(after, list) or len(after) != 3:
        raise InvalidOutput("the driver's 'table_after' is not [columns, rows, groups]")
    columns, rows, groups = after
    if columns != table["columns"]:
        raise InvalidOutput("reorder changed its input 'columns' in place")
    if groups != table["groups"]:
        raise InvalidOutput("reorder changed its input 'groups' in place")
    if rows == table["rows"]:
        return
    if not isinstance(rows, list) or len(rows) != len(table["rows"]):
        raise InvalidOutput("reorder changed its input 'rows' in place (rows added or removed)")
    k = next(k for k, (a, b) in enumerate(zip(rows, table["rows"], strict=True)) if a != b)
    raise InvalidOutput(f"reorder changed its input 'rows' in place (row {k} differs)")


def score(case: dict[str, Any], output: Any) -> dict[str, float]:
    table = case["input"]
    rows = table["rows"]
    if not isinstance(output, dict) or not {"reordering", "table_after"} <= set(output):
        raise InvalidOutput("expected the driver's {'reordering': ..., 'table_after': ...}")
    check_unchanged(table, output["table_after"])
    reordering = output["reordering"]
    order, fields = check_output(reordering, len(rows), len(table["columns"]), table["groups"])
    prompts = [metrics.render(rows[r], f) for r, f in zip(order, fields, strict=True)]
    plain = [metrics.render(rows[r], f, separator="") for r, f in zip(order, fields, strict=True)]
    out = {
        "hit_rate": metrics.hit_rate(prompts),
        "adjacent_hit_rate": metrics.adjacent_hit_rate(prompts),
        "unseparated_hit_rate": metrics.hit_rate(plain),
        "budget_s": float(case["budget_s"]),
        "rows": float(len(rows)),
    }
    out.update(_reference(case))
    out["gap_to_bound"] = out["bound_hit_rate"] - out["hit_rate"]
    return out


def combine(per_case: list[dict[str, float]]) -> dict[str, float]:
    """Means over cases, plus the speed term and the score (the objective)."""
    keys = set(per_case[0]).intersection(*per_case[1:])
    out = {k: math.fsum(m[k] for m in per_case) / len(per_case) for k in sorted(keys)}
    speeds = [max(0.0, 1.0 - m.get("elapsed_s", 0.0) / m["budget_s"]) for m in per_case]
    out["speed"] = math.fsum(speeds) / len(speeds)
    out["score"] = HIT_WEIGHT * out["hit_rate"] + (1 - HIT_WEIGHT) * out["speed"]
    return out
