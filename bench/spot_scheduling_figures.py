"""Print spot_scheduling's figures: all on-demand, greedy, the seed and the hindsight bound.

    .venv/bin/python bench/spot_scheduling_figures.py [--jobs 2] [--bound-every 1]

Mean cost in dollars over every window of a split x the study's nine jobs. The hindsight
bound (dynamic programming per window and job, batched over windows) takes about 0.4 s
per window on one core; ``--bound-every K`` computes it on every K-th round of eight windows only
(one window per trace each; the table says how many windows).
Real data (the study's traces and windows) is read from ADRS_DATA_DIR or ../shared/data.
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from figures_support import (
    data_dir,
    print_table,
    problem,
    seed_module,
    shared_data,
    time_seed_evaluation,
)

from evaluators.spot import bound, market

NAME = "spot_scheduling"
SCENARIOS = market.study_scenarios()


def chunk_bounds(windows: list[str]) -> list[list[float]]:
    """The bound of each window for each of the nine jobs (one row per window)."""
    columns = [bound.hindsight_costs(windows, sc) for sc in SCENARIOS]
    return [list(row) for row in zip(*columns, strict=True)]


def policy_costs(window: str, decide) -> list[float]:
    return [
        market.replay(window, sc, market.run_policy(window, sc, decide)).cost for sc in SCENARIOS
    ]


def mean(rows: list[list[float]]) -> float:
    return statistics.fmean(v for row in rows for v in row)


def by_deadline(rows: list[list[float]]) -> list[float]:
    out = []
    for deadline in market.DEADLINES_H:
        picked = [i for i, sc in enumerate(SCENARIOS) if sc.deadline_s == deadline * 3600]
        out.append(statistics.fmean(row[i] for row in rows for i in picked))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="processes for the bound")
    parser.add_argument("--bound-every", type=int, default=1, help="bound on every K-th window")
    args = parser.parse_args()
    seed = seed_module(NAME)
    sources = [("synthetic", None)]
    real = shared_data()
    if real is not None and (real / "spot" / "windows.json").is_file():
        sources.append(("real", real))
    rows, detail, timings = [], [], []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for label, path in sources:
            with data_dir(path):
                p = problem(NAME)
                for split in ("search", "heldout"):
                    windows = [c["input"]["spot"][0] for c in p.verifier.cases(split, 0)]
                    start = time.perf_counter()
                    od = [[market.on_demand_cost(sc) for sc in SCENARIOS] for _ in windows]
                    greedy = [policy_costs(w, market.greedy) for w in windows]
                    up = [policy_costs(w, seed.decide) for w in windows]
                    # Cases interleave the eight traces: keep whole rounds of eight.
                    keep = [i for i in range(len(windows)) if (i // 8) % args.bound_every == 0]
                    sample = [windows[i] for i in keep]
                    size = bound.BATCH
                    chunks = [sample[i : i + size] for i in range(0, len(sample), size)]
                    best = [row for rows in pool.map(chunk_bounds, chunks) for row in rows]
                    sample_up = [up[i] for i in keep]
                    took = time.perf_counter() - start
                    note = f" ({len(sample)} windows)" if args.bound_every > 1 else ""
                    rows.append(
                        [
                            f"{label} {split} ({len(windows)} windows)",
                            f"{mean(od):.2f}",
                            f"{mean(greedy):.2f}",
                            f"{mean(up):.2f}",
                            f"{mean(best):.2f}{note}",
                            f"{mean(sample_up) / mean(best):.3f}",
                        ]
                    )
                    for name, values in (("greedy", greedy), ("seed (UP)", up), ("bound", best)):
                        detail.append(
                            [f"{label} {split}", name, *(f"{v:.2f}" for v in by_deadline(values))]
                        )
                    print(f"[{label} {split}: {took:.0f} s]", flush=True)
                median, fastest = time_seed_evaluation(p, repeats=2)
                timings.append(f"{label}: {median:.1f} s (min {fastest:.1f} s)")
    header = ["data / split", "all on demand", "greedy", "seed (UP)", "hindsight bound"]
    header.append("seed / bound")
    print_table("spot_scheduling: mean cost ($) per job", header, rows)
    print_table(
        "spot_scheduling: mean cost ($) by deadline",
        ["data / split", "policy", *(f"{d} h" for d in market.DEADLINES_H)],
        detail,
    )
    print("\none seed evaluation (search split, both stages, process sandbox): ", end="")
    print("; ".join(timings))


if __name__ == "__main__":
    main()
