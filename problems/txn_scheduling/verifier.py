"""Trusted verifier for transaction scheduling: recomputes the makespan of every schedule.

The published evaluator takes the makespan the program reports and accepts a schedule that
merely contains 0..n-1 somewhere (a truncated or padded one passes). Here the program
returns only an order; its makespan is computed on the host (rules in
``evaluators/txn/makespan.py``), and anything but a permutation of all transactions is
rejected.

Workloads: seeded synthetic ones by default (three families shaped like the study's). With
``ADRS_DATA_DIR`` holding ``txn/workloads.json`` (the study's three workloads), ``search``
is those three and ``heldout`` is two relabelled copies of each (transactions shuffled,
keys renamed: the same optimum, so a program that memorised answers is exposed).
"""

from __future__ import annotations

import random

from evaluators.data_dir import problem_data
from evaluators.txn import makespan as txn
from evaluators.txn import workloads

SYNTHETIC_CASES = {"search": 9, "heldout": 15}
RELABELS_PER_WORKLOAD = 2


def _case(case_id: str, family: str, ops: list[list[str]]) -> dict:
    parsed = txn.parse_workload(ops)
    return {
        "id": case_id,
        "input": {"txns": ops},
        "family": family,
        "sequential": txn.makespan(parsed, range(len(parsed))),
        "longest": txn.longest_transaction(parsed),
        "bound": txn.key_bound(parsed),
    }


def _synthetic(split: str, seed: int) -> list[dict]:
    out = []
    for i in range(SYNTHETIC_CASES[split]):
        family = workloads.FAMILIES[i % len(workloads.FAMILIES)]
        ops = workloads.synthetic(family, f"txn_scheduling:{seed}:{split}:{i}")
        out.append(_case(f"syn-{split}-{i:02d}-{family}", family, ops))
    return out


def _real(split: str, seed: int) -> list[dict] | None:
    folder = problem_data("txn")
    if folder is None or not (folder / "workloads.json").is_file():
        return None
    real = workloads.load_real(folder / "workloads.json")
    out = []
    for name, ops in real.items():
        if split == "search":
            out.append(_case(f"real-{name}", name, ops))
            continue
        for r in range(RELABELS_PER_WORKLOAD):
            copy, _ = workloads.relabel(ops, random.Random(f"txn_scheduling:{seed}:{name}:{r}"))
            out.append(_case(f"real-{name}-relabel{r + 1}", name, copy))
    return out


def cases(split: str, seed: int) -> list[dict]:
    """The study's workloads when a data directory has them, else synthetic ones."""
    real = _real(split, seed)
    return real if real is not None else _synthetic(split, seed)


def score(case: dict, output: object) -> dict:
    ops = txn.parse_workload(case["input"]["txns"])
    schedule = txn.check_schedule(output, len(ops))
    span = txn.makespan(ops, schedule)
    return {
        "makespan": float(span),
        "sequential_makespan": float(case["sequential"]),
        "relative_makespan": span / case["sequential"],
        "lower_bound": float(case["bound"]),
        "longest_transaction": float(case["longest"]),
        "gap_to_bound": span / case["bound"],
    }


def combine(per_case: list[dict]) -> dict:
    """Means of every metric, plus the totals the study reports."""
    keys = set(per_case[0]).intersection(*per_case[1:])
    out = {k: sum(m[k] for m in per_case) / len(per_case) for k in sorted(keys)}
    for key in ("makespan", "sequential_makespan", "lower_bound", "longest_transaction"):
        out[f"total_{key}"] = sum(m[key] for m in per_case)
    return out
