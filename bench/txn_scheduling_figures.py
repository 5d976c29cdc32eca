"""Print txn_scheduling's figures: sequential order, seed and lower bounds per split and data.

    .venv/bin/python bench/txn_scheduling_figures.py

Real data (the study's three workloads) is read from ADRS_DATA_DIR or ../shared/data.
"""

from __future__ import annotations

import statistics
import time

from figures_support import (
    data_dir,
    print_table,
    problem,
    seed_module,
    shared_data,
    time_seed_evaluation,
)

NAME = "txn_scheduling"


def main() -> None:
    seed = seed_module(NAME)
    sources = [("synthetic", None)]
    real = shared_data()
    if real is not None and (real / "txn" / "workloads.json").is_file():
        sources.append(("real", real))
    rows = []
    timings = []
    per_workload = []
    calls: list[float] = []
    for label, path in sources:
        with data_dir(path):
            p = problem(NAME)
            for split in ("search", "heldout"):
                cases = p.verifier.cases(split, 0)
                metrics = []
                for case in cases:
                    start = time.perf_counter()
                    order = seed.schedule_transactions(case["input"]["txns"])
                    calls.append(time.perf_counter() - start)
                    m = p.verifier.score(case, order)
                    metrics.append(m)
                    if label == "real" and split == "search":
                        per_workload.append((case["id"], case, m))
                c = p.verifier.combine(metrics)
                rows.append(
                    [
                        f"{label} {split} ({len(cases)} workloads)",
                        f"{c['total_sequential_makespan']:.0f}",
                        f"{c['total_makespan']:.0f}",
                        f"{c['total_lower_bound']:.0f}",
                        f"{c['total_longest_transaction']:.0f}",
                    ]
                )
            median, fastest = time_seed_evaluation(p)
            timings.append(f"{label}: {median:.2f} s (min {fastest:.2f} s)")
    header = ["data / split", "sequential order", "seed (greedy)", "key lower bound", "longest txn"]
    print_table("txn_scheduling: total makespan over the split's workloads", header, rows)
    if per_workload:
        print_table(
            "txn_scheduling: the study's workloads",
            ["workload", "sequential", "seed", "key bound", "longest txn"],
            [
                [
                    cid,
                    f"{c['sequential']}",
                    f"{m['makespan']:.0f}",
                    f"{c['bound']}",
                    f"{c['longest']}",
                ]
                for cid, c, m in per_workload
            ],
        )
    print("\none seed evaluation (search split, process sandbox): " + "; ".join(timings))
    print(f"seed call: median {statistics.median(calls) * 1000:.1f} ms per workload (in process)")


if __name__ == "__main__":
    main()
