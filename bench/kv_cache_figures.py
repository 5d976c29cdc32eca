"""Figures for problems/kv_cache: seed, baselines and bounds per workload and split, the
time of one seed evaluation in the sandbox, and LRU vs Belady on the whole Mooncake
conversation trace.

    .venv/bin/python bench/kv_cache_figures.py [--data DIR] [--no-real] [--no-sandbox]

DIR defaults to $ADRS_DATA_DIR, else ../shared/data beside the repository.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
import time
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adrs.evaluation.evaluate import evaluate_source  # noqa: E402
from adrs.problem.loader import load_problem  # noqa: E402
from adrs.sandbox.process import ProcessSandbox  # noqa: E402
from evaluators.kvcache import mooncake  # noqa: E402
from evaluators.kvcache.cache import simulate  # noqa: E402
from evaluators.kvcache.policies import BASELINES, make_baseline  # noqa: E402
from evaluators.kvcache.trace import canonicalize, capacities, ceiling  # noqa: E402

PROBLEM = REPO / "problems" / "kv_cache"
COLUMNS = ("seed", *BASELINES)


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def split_table(verifier: ModuleType, split: str) -> None:
    """Seed (through its driver, scored by the verifier), baselines, Belady, ceiling."""
    driver = load(PROBLEM / "driver.py", "bench_kv_driver")
    seed = load(PROBLEM / "initial.py", "bench_kv_seed")
    rows = []
    for case in verifier.cases(split, 0):
        rows.append(verifier.score(case, driver.run(seed, case["input"])))
    print(f"  {split} ({len(rows)} cases), token hit rate, mean over cases:")
    header = "    " + f"{'cache':>8}" + "".join(f"{c:>10}" for c in COLUMNS)
    print(header)
    for label in (*verifier.LABELS, "mean"):
        suffix = "" if label == "mean" else f"_{label}"
        cells = []
        for col in COLUMNS:
            key = f"token_hit_rate{suffix}" if col == "seed" else f"{col}_token_hit_rate{suffix}"
            cells.append(math.fsum(r[key] for r in rows) / len(rows))
        print("    " + f"{label:>8}" + "".join(f"{c:10.4f}" for c in cells))
    top = math.fsum(r["ceiling_token_hit_rate"] for r in rows) / len(rows)
    share = math.fsum(r["request_hit_share"] for r in rows) / len(rows)
    print(f"    compulsory-miss ceiling {top:.4f}; seed's share of requests with a hit {share:.4f}")


def eval_time(label: str) -> None:
    problem = load_problem(PROBLEM)
    box = ProcessSandbox()
    for attempt in ("first (computes the references)", "second (references cached)"):
        start = time.monotonic()
        ev = evaluate_source(problem, problem.seed_source, box)
        wall = time.monotonic() - start
        stages = ", ".join(f"{s.stage} {s.wall_s:.2f} s in sandbox" for s in ev.stages)
        print(f"  {label}: seed evaluation, {attempt}: {wall:.2f} s ({stages}); {ev.status}")


def whole_trace(root: Path, name: str) -> None:
    trace = canonicalize(mooncake.load(root, name))
    bound = ceiling(trace)
    print(
        f"  Mooncake {name} trace, all {len(trace)} requests, {trace.n_blocks} distinct blocks; "
        f"ceiling {bound.token_hit_rate:.4f} (tokens), {bound.block_hit_rate:.4f} (blocks)"
    )
    for frac, cap in zip((0.05, 0.10, 0.20), capacities(trace, (0.05, 0.10, 0.20)), strict=True):
        cells = []
        for policy in BASELINES:
            stats, _ = simulate(trace, cap, make_baseline(policy, cap, trace))
            cells.append(f"{policy} {stats.token_hit_rate:.4f}")
        print(f"    {round(frac * 100)}% ({cap} blocks): " + ", ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = os.environ.get("ADRS_DATA_DIR") or str(REPO.parent / "shared" / "data")
    parser.add_argument("--data", default=default)
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--no-sandbox", action="store_true")
    args = parser.parse_args()
    root = Path(args.data)
    real = not args.no_real and (root / "mooncake").is_dir()

    os.environ.pop("ADRS_DATA_DIR", None)
    print("synthetic workload (default)")
    verifier = load(PROBLEM / "verifier.py", "bench_kv_verifier_synthetic")
    for split in ("search", "heldout"):
        split_table(verifier, split)
    if not args.no_sandbox:
        eval_time("synthetic")
    if not real:
        print(f"no Mooncake traces under {root}: real-data figures skipped")
        return
    os.environ["ADRS_DATA_DIR"] = str(root)
    print(f"Mooncake windows ({root})")
    verifier = load(PROBLEM / "verifier.py", "bench_kv_verifier_real")
    for split in ("search", "heldout"):
        split_table(verifier, split)
    if not args.no_sandbox:
        eval_time("Mooncake")
    for name in ("conversation", "synthetic"):
        whole_trace(root, name)


if __name__ == "__main__":
    main()
