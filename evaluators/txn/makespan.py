"""Makespan of a transaction schedule: the conflict rules, stated once and exactly.

A transaction is a sequence of unit-time operations: ``r-KEY`` (read), ``w-KEY`` (write)
or ``*`` (a step that touches no key). A schedule is a permutation of the transactions;
they are placed in that order. A transaction placed with start step ``s`` runs its k-th
operation (k = 1, 2, ...) at step ``s + k - 1``. Two operations conflict when they touch
the same key and at least one of them writes. Each transaction gets the earliest start
``s >= 1`` at which every one of its operations comes strictly after every conflicting
operation of the transactions placed before it. The makespan is the last step used.

Operations of one transaction never conflict with each other; transactions that share no
conflicting key may overlap freely, whatever their order in the schedule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from evaluators.verdict import InvalidOutput

# One operation: ("r" or "w", key), or None for a no-op step.
Op = tuple[str, str] | None
Txn = list[Op]


def parse_op(token: str) -> Op:
    """``r-KEY`` / ``w-KEY`` / ``*`` to an operation; ValueError for anything else."""
    if token == "*":
        return None
    kind, sep, key = token.partition("-")
    if sep != "-" or kind not in ("r", "w") or not key:
        raise ValueError(f"bad operation {token[:40]!r} (expected r-KEY, w-KEY or *)")
    return (kind, key)


def parse_workload(txns: Sequence[Sequence[str]]) -> list[Txn]:
    """Parse a workload given as lists of operation tokens."""
    out = []
    for i, txn in enumerate(txns):
        if not txn:
            raise ValueError(f"transaction {i} has no operations")
        try:
            out.append([parse_op(tok) for tok in txn])
        except ValueError as exc:
            raise ValueError(f"transaction {i}: {exc}") from None
    return out


class Timeline:
    """Transactions placed so far: per key, the last step read and the last step written."""

    __slots__ = ("last_access", "last_write", "makespan")

    def __init__(self) -> None:
        self.last_write: dict[str, int] = {}
        self.last_access: dict[str, int] = {}
        self.makespan = 0

    def start_for(self, txn: Txn) -> int:
        """The earliest start step of ``txn`` if it were placed next."""
        start = 1
        for k, op in enumerate(txn):
            if op is None:
                continue
            kind, key = op
            seen = (self.last_write if kind == "r" else self.last_access).get(key, 0)
            # Operation k (0-based) runs at start + k and must come after step ``seen``.
            if seen - k + 1 > start:
                start = seen - k + 1
        return start

    def place(self, txn: Txn) -> int:
        """Place ``txn`` at its earliest start; returns that start."""
        start = self.start_for(txn)
        for k, op in enumerate(txn):
            if op is None:
                continue
            kind, key = op
            step = start + k
            if step > self.last_access.get(key, 0):
                self.last_access[key] = step
            if kind == "w" and step > self.last_write.get(key, 0):
                self.last_write[key] = step
        end = start + len(txn) - 1
        if end > self.makespan:
            self.makespan = end
        return start


def makespan(txns: Sequence[Txn], order: Iterable[int]) -> int:
    """Makespan of placing ``txns`` in ``order`` (indices into ``txns``)."""
    timeline = Timeline()
    for i in order:
        timeline.place(txns[i])
    return timeline.makespan


def longest_transaction(txns: Sequence[Txn]) -> int:
    """The study's lower bound: no schedule ends before its longest transaction does."""
    return max(len(t) for t in txns)


def key_bound(txns: Sequence[Txn]) -> int:
    """A tighter lower bound from the operations on a single key.

    The writes to a key, plus any one read of it, conflict pairwise (or sit at different
    offsets of one transaction), so they occupy distinct steps. An operation at offset k
    (1-based) of a transaction of length n cannot run before step k and leaves n - k steps
    after it, so a set S of such operations needs at least
    ``min(k) + |S| - 1 + min(n - k)`` steps.
    """
    writes: dict[str, list[tuple[int, int]]] = defaultdict(list)
    reads: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for txn in txns:
        n = len(txn)
        for k, op in enumerate(txn, start=1):
            if op is not None:
                (writes if op[0] == "w" else reads)[op[1]].append((k, n - k))
    best = longest_transaction(txns)
    for key, ops in writes.items():
        head = min(k for k, _ in ops)
        tail = min(q for _, q in ops)
        best = max(best, head + len(ops) - 1 + tail)
        for k, q in reads.get(key, ()):
            best = max(best, min(head, k) + len(ops) + min(tail, q))
    return best


def check_schedule(output: Any, count: int) -> list[int]:
    """The schedule as a list of ints, or InvalidOutput saying why it is not a permutation."""
    if hasattr(output, "tolist") and hasattr(output, "ndim"):  # a NumPy array
        if output.ndim != 1:
            raise InvalidOutput(f"schedule must be one-dimensional, got shape {output.shape}")
        if output.dtype.kind not in "iu":
            raise InvalidOutput(f"schedule array has dtype {output.dtype}, not integers")
        output = output.tolist()
    if not isinstance(output, (list, tuple)):
        raise InvalidOutput(
            f"expected a list of {count} transaction indices, got {type(output).__name__}"
        )
    seen = [False] * count
    for pos, item in enumerate(output):
        if isinstance(item, bool) or not isinstance(item, int):
            raise InvalidOutput(f"schedule[{pos}] is {item!r:.40}, not a transaction index")
        if not 0 <= item < count:
            raise InvalidOutput(f"schedule[{pos}] = {item} is not a transaction (0..{count - 1})")
        if seen[item]:
            raise InvalidOutput(f"transaction {item} appears twice in the schedule")
        seen[item] = True
    if len(output) != count:
        missing = [i for i, s in enumerate(seen) if not s]
        raise InvalidOutput(
            f"schedule has {len(output)} of {count} transactions "
            f"({len(missing)} missing, first: {missing[0]})"
        )
    return list(output)
