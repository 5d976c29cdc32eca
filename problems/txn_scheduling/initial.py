"""Order transactions so that their schedule finishes as early as possible (min makespan).

Rules (the verifier applies its own copy of them): transactions are placed in the order
returned; a transaction placed at start step s runs its k-th operation (k = 1, 2, ...) at
step s + k - 1. Two operations conflict when they touch the same key and at least one is a
write (``w-KEY``; ``r-KEY`` reads, ``*`` touches nothing). Each transaction starts at the
earliest step >= 1 at which every one of its operations comes strictly after every
conflicting operation of the transactions placed before it. Makespan = last step used.
"""

import random


class Timeline:
    """Transactions placed so far; ``start_for`` and ``place`` apply the rules above."""

    def __init__(self):
        self.last_write = {}
        self.last_access = {}
        self.makespan = 0

    def copy(self):
        other = Timeline()
        other.last_write = dict(self.last_write)
        other.last_access = dict(self.last_access)
        other.makespan = self.makespan
        return other

    def start_for(self, ops):
        """Earliest start of a parsed transaction (list of (kind, key) or None) if placed next."""
        start = 1
        for k, op in enumerate(ops):
            if op is not None:
                kind, key = op
                seen = (self.last_write if kind == "r" else self.last_access).get(key, 0)
                start = max(start, seen - k + 1)
        return start

    def end_if_placed(self, ops):
        """Makespan after placing ``ops`` next (without placing it)."""
        return max(self.makespan, self.start_for(ops) + len(ops) - 1)

    def place(self, ops):
        start = self.start_for(ops)
        for k, op in enumerate(ops):
            if op is not None:
                kind, key = op
                step = start + k
                self.last_access[key] = max(self.last_access.get(key, 0), step)
                if kind == "w":
                    self.last_write[key] = max(self.last_write.get(key, 0), step)
        self.makespan = max(self.makespan, start + len(ops) - 1)
        return start


def parse(txns):
    """``[["r-1", "w-2", "*"], ...]`` -> ``[[("r", "1"), ("w", "2"), None], ...]``."""
    return [[None if tok == "*" else (tok[0], tok[2:]) for tok in txn] for txn in txns]


# EVOLVE-BLOCK-START
def schedule_transactions(txns):
    """The study's greedy: grow the schedule one transaction at a time.

    Start from a random transaction; at each step sample up to SAMPLES of the remaining
    transactions and append the one whose placement adds the least makespan (the first
    sampled wins ties). Returns a permutation of range(len(txns)).
    """
    SAMPLES = 10
    rng = random.Random(0)
    ops = parse(txns)
    remaining = list(range(len(ops)))
    first = remaining.pop(rng.randrange(len(remaining)))
    timeline = Timeline()
    timeline.place(ops[first])
    order = [first]
    while remaining:
        sample = rng.sample(remaining, min(SAMPLES, len(remaining)))
        best = min(sample, key=lambda t: timeline.end_if_placed(ops[t]))
        remaining.remove(best)
        timeline.place(ops[best])
        order.append(best)
    return order
# EVOLVE-BLOCK-END
