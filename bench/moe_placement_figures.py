"""Print moe_placement's figures: balancedness of the seed, baselines and the bound, and times.

    .venv/bin/python bench/moe_placement_figures.py

A recorded trace is used as well when ADRS_DATA_DIR (or ../shared/data) has
``moe/load_history.json``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from figures_support import (
    data_dir,
    print_table,
    problem,
    seed_module,
    shared_data,
    time_seed_evaluation,
)

from evaluators.moe import placement

NAME = "moe_placement"


def balance(case: dict, out: tuple) -> float:
    inp = case["input"]
    placed = placement.check_placement(out, *inp["weight"].shape, len(out[0][0]))
    return placement.balancedness(placed.phy2log, placed.logcnt, case["next_load"], inp["num_gpus"])


def main() -> None:
    seed = seed_module(NAME)
    sources = [("synthetic", None)]
    real = shared_data()
    if real is not None and (real / "moe" / "load_history.json").is_file():
        sources.append(("real", real))
    rows, timings, calls = [], [], []
    for label, path in sources:
        with data_dir(path):
            p = problem(NAME)
            for split in ("search", "heldout"):
                cases = p.verifier.cases(split, 0)
                got: dict[str, list[float]] = {}
                for case in cases:
                    inp = case["input"]
                    weight = inp["weight"].copy()
                    args = (inp["num_groups"], inp["num_nodes"], inp["num_gpus"])
                    start = time.perf_counter()
                    out = seed.rebalance_experts(weight, inp["num_replicas"], *args)
                    calls.append(time.perf_counter() - start)
                    m = p.verifier.score(case, {"placement": list(out), "weight_after": weight})
                    one_pool = seed.rebalance_experts(weight, inp["num_replicas"], 1, 1, args[2])
                    no_spare = seed.rebalance_experts(weight, weight.shape[1], *args)
                    for key, value in (
                        ("static", m["static_balancedness"]),
                        ("no_redundancy", balance(case, no_spare)),
                        ("seed", m["balancedness"]),
                        ("global", balance(case, one_pool)),
                        ("seen", m["balancedness_seen"]),
                    ):
                        got.setdefault(key, []).append(value)
                mean = {k: float(np.mean(v)) for k, v in got.items()}
                rows.append(
                    [f"{label} {split} ({len(cases)} windows)"]
                    + [
                        f"{mean[k]:.4f}"
                        for k in ("static", "no_redundancy", "seed", "global", "seen")
                    ]
                    + ["1.0000"]
                )
            median, fastest = time_seed_evaluation(p)
            timings.append(f"{label}: {median:.2f} s (min {fastest:.2f} s)")
    header = [
        "data / split",
        "static, no EPLB",
        "no redundancy",
        "seed (hierarchical)",
        "DeepSeek global",
        "seed on the seen window",
        "bound",
    ]
    print_table("moe_placement: GPU balancedness on the next window", header, rows)
    print("\none seed evaluation (search split, process sandbox): " + "; ".join(timings))
    print(f"seed call: median {statistics.median(calls) * 1000:.1f} ms (in process)")


if __name__ == "__main__":
    main()
