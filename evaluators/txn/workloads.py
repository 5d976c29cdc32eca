"""Transaction workloads: three seeded generators shaped like the study's, and its real set.

The study (VLDB'24 offline case, as packaged by ADRS) uses three workloads of 100
transactions each, which these generators imitate with randomised parameters:

``hot``       long transactions (12-20 distinct keys) over a Zipf-skewed key space with a
              few keys that nearly every transaction touches, each key at a characteristic
              position in the transaction, about half of the operations writes.
``rmw``       short read-modify-write transactions: read a hot key, then read and write a
              colder key of that hot key's own range (like a warehouse and its districts);
              the first part of the workload padded with long runs of no-op steps.
``few_keys``  short transactions that read one key and, after a fixed run of no-op steps,
              write another; the first half reads the lower half of a handful of keys and
              writes the upper half, the second half the other way round.

Workloads are lists of transactions, each a list of operation tokens (``r-KEY``,
``w-KEY``, ``*``).
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from pathlib import Path

from evaluators.txn.makespan import parse_workload

FAMILIES = ("hot", "rmw", "few_keys")
Workload = list[list[str]]


def hot(rng: random.Random, count: int = 100) -> Workload:
    """Long transactions contending on a few hot keys (like the study's WORKLOAD_1)."""
    length = rng.randint(12, 20)
    core = rng.randint(2, 5)  # keys 1..core appear in (almost) every transaction
    space = rng.randint(1000, 6000)
    skew = rng.uniform(1.0, 1.4)
    write_share = rng.uniform(0.45, 0.65)
    keys = list(range(core + 1, space + 1))
    cumulative = list(itertools.accumulate(1.0 / (k - core) ** skew for k in keys))
    position = {k: rng.random() for k in range(1, space + 1)}
    out = []
    for _ in range(count):
        chosen = {k for k in range(1, core + 1) if rng.random() < 0.97}
        while len(chosen) < length:
            chosen.add(rng.choices(keys, cum_weights=cumulative)[0])
        # Each key tends to sit at its own place in a transaction, with some jitter.
        ordered = sorted(chosen, key=lambda k: position[k] + rng.gauss(0.0, 0.15))
        out.append([f"{'w' if rng.random() < write_share else 'r'}-{k}" for k in ordered])
    return out


def rmw(rng: random.Random, count: int = 100) -> Workload:
    """Read-modify-write transactions, the first ones padded with no-ops (like WORKLOAD_2)."""
    hot_keys = rng.randint(3, 6)
    width = rng.randint(8, 12)  # hot key h owns cold keys h*width+1 .. h*width+width
    padding = rng.randint(12, 24)
    long_count = round(count * rng.uniform(0.3, 0.7))
    out = []
    for i in range(count):
        h = rng.randint(1, hot_keys)
        c = h * width + rng.randint(1, width)
        if i < long_count:
            out.append([f"r-{h}", f"r-{c}", f"w-{c}"] + ["*"] * padding)
        else:
            out.append([f"r-{h}", f"w-{h}", f"r-{c}", f"w-{c}", "*"])
    return out


def few_keys(rng: random.Random, count: int = 100) -> Workload:
    """Read a key, wait, write a key of the other half of a few keys (like WORKLOAD_3)."""
    half = rng.randint(4, 7)
    gap = rng.randint(5, 9)
    out = []
    for i in range(count):
        low, high = rng.randint(1, half), rng.randint(half + 1, 2 * half)
        read, write = (low, high) if i < count // 2 else (high, low)
        out.append([f"r-{read}"] + ["*"] * gap + [f"w-{write}"])
    return out


GENERATORS: dict[str, Callable[[random.Random, int], Workload]] = {
    "hot": hot,
    "rmw": rmw,
    "few_keys": few_keys,
}


def synthetic(family: str, seed: str, count: int = 100) -> Workload:
    """One seeded workload of the given family."""
    return GENERATORS[family](random.Random(seed), count)


def load_real(path: Path) -> dict[str, Workload]:
    """The study's workloads file: ``{name: {"txn0": "r-1 w-2 ...", ...}}`` in index order."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read workloads ({exc})") from None
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{path}: expected an object of workloads")
    out = {}
    for name, txns in raw.items():
        if not isinstance(txns, dict) or not txns:
            raise ValueError(f"{path}: workload {name!r} is not an object of transactions")
        ordered = []
        for i in range(len(txns)):
            text = txns.get(f"txn{i}")
            if not isinstance(text, str):
                raise ValueError(f"{path}: workload {name!r} has no transaction 'txn{i}'")
            ordered.append(text.split())
        try:
            parse_workload(ordered)
        except ValueError as exc:
            raise ValueError(f"{path}: workload {name!r}: {exc}") from None
        out[str(name)] = ordered
    return out


def relabel(workload: Workload, rng: random.Random) -> tuple[Workload, list[int]]:
    """An isomorphic copy: transactions shuffled and keys renamed. Same optimum, new input.

    Returns the copy and, for each of its transactions, the index it had in ``workload``.
    """
    keys = sorted({tok[2:] for txn in workload for tok in txn if tok != "*"})
    names = rng.sample(range(1, 10 * len(keys) + 10), len(keys))
    rename = dict(zip(keys, (str(n) for n in names), strict=True))
    origin = list(range(len(workload)))
    rng.shuffle(origin)
    copy = [
        [tok if tok == "*" else f"{tok[0]}-{rename[tok[2:]]}" for tok in workload[i]]
        for i in origin
    ]
    return copy, origin
