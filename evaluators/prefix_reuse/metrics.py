"""Prefix hit rates of a table's prompts, and an upper bound over all reorderings.

A row's prompt is its fields in the chosen order, each ended by ``SEPARATOR`` (so a
cached prefix always ends on field boundaries or inside one field, never by accident
across two). A row's hits are the longest common prefix, in characters, with any earlier
row's prompt; the hit rate is total hits over total prompt characters.

A fact that shapes the problem: with "any earlier row", the total does not depend on the
row order. Inserting the prompts one by one into a character trie, each adds exactly its
characters beyond its hits as new nodes, so total hits = total characters - distinct
prefixes of the set of prompts, whatever the order. Row order matters only to a cache
that forgets (``adjacent_hit_rate`` reports the one-row-memory view); the field orders
are what decide the hit rate.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

from evaluators.prefix_reuse.tables import SEPARATOR


def lcp(a: str, b: str) -> int:
    """Length of the longest common prefix of two strings."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def render(values: Sequence[str], order: Sequence[int], separator: str = SEPARATOR) -> str:
    """One row's prompt: its fields in ``order``, each followed by ``separator``."""
    return "".join(values[c] + separator for c in order)


def hits_sorted(prompts: Sequence[str]) -> int:
    """Total prefix hits of ``prompts`` (any order gives the same total)."""
    ordered = sorted(prompts)
    return sum(lcp(a, b) for a, b in itertools.pairwise(ordered))


def hits_in_order(prompts: Sequence[str]) -> list[int]:
    """Each prompt's hits against all earlier ones, in the given order (the definition)."""
    seen: list[str] = []
    out = []
    for p in prompts:
        at = bisect.bisect_left(seen, p)
        best = 0
        if at > 0:
            best = lcp(p, seen[at - 1])
        if at < len(seen):
            best = max(best, lcp(p, seen[at]))
        out.append(best)
        seen.insert(at, p)
    return out


def hit_rate(prompts: Sequence[str]) -> float:
    total = sum(len(p) for p in prompts)
    return hits_sorted(prompts) / total if total else 0.0


def adjacent_hit_rate(prompts: Sequence[str]) -> float:
    """Hits against the previous row only: what a cache holding one prompt would serve."""
    total = sum(len(p) for p in prompts)
    hits = sum(lcp(a, b) for a, b in itertools.pairwise(prompts))
    return hits / total if total else 0.0


def upper_bound(rows: Sequence[Sequence[str]]) -> float:
    """A hit rate no row and field ordering can beat (field-separated prompts).

    With separators, two prompts agree on some whole identical fields and then, at most,
    on part of one field that the other row does not hold. So row r hits at most, over
    every other row r': the characters of the field values both hold (as multisets), plus
    the longest common prefix of one of r's fields that r' lacks with any *other* value in
    the table; never more than its own length. Summed over rows, minus the smallest row
    bound (the row that comes first hits nothing). Exact over all pairs, with NumPy.
    """
    import numpy as np

    if not rows or not rows[0]:
        return 0.0
    ids: dict[str, int] = {}
    values = np.array(
        [[ids.setdefault(v + SEPARATOR, len(ids)) for v in row] for row in rows], dtype=np.int64
    )
    n, m = values.shape
    names = sorted(ids)
    lengths = np.zeros(len(ids), dtype=np.int64)
    partial = np.zeros(len(ids), dtype=np.int64)
    for k, name in enumerate(names):
        best = 0
        if k > 0:
            best = lcp(name, names[k - 1])
        if k + 1 < len(names):
            best = max(best, lcp(name, names[k + 1]))
        lengths[ids[name]] = len(name)
        partial[ids[name]] = best
    # Rows holding each value: once per row, and once per occurrence.
    flat = values.ravel()
    order = np.argsort(flat, kind="stable")
    starts = np.searchsorted(flat[order], np.arange(len(ids) + 1))
    holders_all = order // m
    unique_rows = [np.unique(holders_all[starts[v] : starts[v + 1]]) for v in range(len(ids))]
    row_lengths = lengths[values].sum(axis=1)
    bounds = np.empty(n, dtype=np.int64)
    for r in range(n):
        mine, counts = np.unique(values[r], return_counts=True)
        # lacking[mask] = the best partial field among those a partner with that coverage
        # mask (bit k: it holds all copies of mine[k]) does not hold.
        masks = np.arange(1 << len(mine))
        lacking = np.zeros(len(masks), dtype=np.int64)
        for k, v in enumerate(mine):
            lacking = np.maximum(lacking, np.where(masks & (1 << k), 0, partial[v]))
        shared = np.zeros(n)
        covered = np.zeros(n, dtype=np.int64)
        for k, (v, c) in enumerate(zip(mine, counts, strict=True)):
            if c == 1:
                holders = unique_rows[v]
                shared[holders] += lengths[v]
                covered[holders] |= 1 << k
            else:
                held = np.bincount(holders_all[starts[v] : starts[v + 1]], minlength=n)
                shared += lengths[v] * np.minimum(held, c)
                covered |= np.where(held >= c, 1 << k, 0)
        total = shared + lacking[covered]
        total[r] = -1
        bounds[r] = min(int(row_lengths[r]), int(total.max()))
    return float(bounds.sum() - bounds.min()) / float(row_lengths.sum())


def best_orders(
    rows: Sequence[Sequence[str]], groups: Sequence[Sequence[int]] = ()
) -> tuple[float, list[list[int]]]:
    """The exact optimum by exhaustive search over every row's field order (tiny tables
    only: (fields!) ** rows orders). Returns the best hit rate and its field orders."""
    orders = [list(o) for o in valid_orders(len(rows[0]) if rows else 0, groups)]
    best_rate, best = -1.0, [orders[0] for _ in rows]
    for choice in itertools.product(orders, repeat=len(rows)):
        rate = hit_rate([render(r, o) for r, o in zip(rows, choice, strict=True)])
        if rate > best_rate:
            best_rate, best = rate, list(choice)
    return best_rate, best


def stored_order(columns: int, groups: Sequence[Sequence[int]]) -> list[int]:
    """The table's own column order, each group moved to where its first member stands."""
    group_of = {c: g for g in groups for c in g}
    out: list[int] = []
    for c in range(columns):
        if c not in group_of:
            out.append(c)
        elif c not in out:
            out.extend(group_of[c])
    return out


def valid_orders(columns: int, groups: Sequence[Sequence[int]]) -> list[tuple[int, ...]]:
    """Every field order that keeps each group together and in its given order."""
    grouped = {c for g in groups for c in g}
    units = [tuple(g) for g in groups] + [(c,) for c in range(columns) if c not in grouped]
    return [tuple(c for u in perm for c in u) for perm in itertools.permutations(units)]
