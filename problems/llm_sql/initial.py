"""Reorder a table's rows, and the fields within each row, so that the LLM prompts built
from consecutive rows share long prefixes (and the serving engine reuses their KV cache).

reorder(columns, rows, groups) gets the column names, the rows (lists of strings, one per
column) and the groups (lists of column indexes that must stay together, in that order).
It returns [order, fields]: ``order`` lists every row index once, in output order, and
``fields[k]`` is the column order of output row k (the row ``order[k]``).
"""

from collections import Counter, defaultdict


# EVOLVE-BLOCK-START
DISTINCT_SHARE = 0.7  # a unit with more distinct values than this share of rows goes last
ROW_DEPTH = 4  # row recursions before falling back to one fixed order
COLUMN_DEPTH = 2  # column recursions likewise
MIN_GAIN = 100  # a value must be worth at least this, len(value) ** 2 * (count - 1)


def reorder(columns, rows, groups):
    """Greedy group recursion (GGR, MLSys'25): find the value whose repetition is worth
    most, put it first in every row holding it and recurse on those rows with the other
    fields (column recursion) and on the remaining rows (row recursion); past the depth
    limits, or when no value is worth splitting on, order fields by how much their
    repeated values are worth and sort the rows. Near-unique fields always go last."""
    grouped = {c for g in groups for c in g}
    units = [tuple(g) for g in groups] + [(c,) for c in range(len(columns)) if c not in grouped]
    cells = [["\n".join(row[c] for c in unit) for unit in units] for row in rows]
    n = len(rows)
    wide = [u for u in range(len(units)) if len({cell[u] for cell in cells}) > DISTINCT_SHARE * n]
    narrow = [u for u in range(len(units)) if u not in wide]
    wide.sort(key=lambda u: -_worth(cells, range(n), u))
    order, unit_orders = _ggr(cells, list(range(n)), narrow, 0, 0)
    fields = [[c for u in units_of_row + wide for c in units[u]] for units_of_row in unit_orders]
    return [order, fields]


def _worth(cells, rows, unit):
    counts = Counter(cells[r][unit] for r in rows)
    return sum(len(v) * (k - 1) for v, k in counts.items())


def _fixed(cells, rows, units):
    ranked = sorted(units, key=lambda u: -_worth(cells, rows, u))
    ordered = sorted(rows, key=lambda r: [cells[r][u] for u in ranked])
    return ordered, [list(ranked) for _ in ordered]


def _ggr(cells, rows, units, row_depth, column_depth):
    if len(rows) <= 1 or len(units) <= 1 or row_depth >= ROW_DEPTH or column_depth >= COLUMN_DEPTH:
        return _fixed(cells, rows, units)
    counts = Counter(cells[r][u] for r in rows for u in units)
    value, count = max(counts.items(), key=lambda item: len(item[0]) ** 2 * (item[1] - 1))
    if len(value) ** 2 * (count - 1) < MIN_GAIN:
        return _fixed(cells, rows, units)
    holders = defaultdict(list)  # unit holding the value -> rows
    rest = []
    for r in rows:
        unit = next((u for u in units if cells[r][u] == value), None)
        if unit is None:
            rest.append(r)
        else:
            holders[unit].append(r)
    order, unit_orders = [], []
    for unit, members in holders.items():
        others = [u for u in units if u != unit]
        sub_order, sub_units = _ggr(cells, members, others, row_depth, column_depth + 1)
        order += sub_order
        unit_orders += [[unit, *u] for u in sub_units]
    rest_order, rest_units = _ggr(cells, rest, units, row_depth + 1, column_depth)
    return order + rest_order, unit_orders + rest_units
# EVOLVE-BLOCK-END
