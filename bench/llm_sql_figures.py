"""Figures for problems/llm_sql: the stored order's hit rate, the seed's (GGR), the upper
bound and the seed's running time per table and split, the whole beer table, and the time
of one seed evaluation in the sandbox.

    .venv/bin/python bench/llm_sql_figures.py [--data DIR] [--no-real] [--no-sandbox]

DIR defaults to $ADRS_DATA_DIR, else ../shared/data beside the repository.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
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
from evaluators.prefix_reuse.tables import read_csv  # noqa: E402

PROBLEM = REPO / "problems" / "llm_sql"


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def row(verifier: ModuleType, seed: ModuleType, case: dict) -> None:
    driver = load(PROBLEM / "driver.py", "bench_sql_driver")
    handed = copy.deepcopy(case["input"])
    start = time.perf_counter()
    output = driver.run(seed, handed)  # the seed's call, and its table handed back
    elapsed = time.perf_counter() - start
    m = verifier.score(case, output)
    print(
        f"    {case['id']:<26}{len(case['input']['rows']):>7}{m['original_hit_rate']:>9.4f}"
        f"{m['hit_rate']:>9.4f}{m['bound_hit_rate']:>9.4f}{m['unseparated_hit_rate']:>9.4f}"
        f"{elapsed:>9.3f}{case['budget_s']:>8.2f}"
    )


def split_table(verifier: ModuleType, seed: ModuleType, split: str) -> None:
    print(f"  {split}:")
    print(
        f"    {'case':<26}{'rows':>7}{'stored':>9}{'seed':>9}{'bound':>9}{'no-sep':>9}"
        f"{'seed s':>9}{'budget':>8}"
    )
    for case in verifier.cases(split, 0):
        row(verifier, seed, case)


def eval_time(label: str) -> None:
    problem = load_problem(PROBLEM)
    box = ProcessSandbox()
    for attempt in ("first (computes the references)", "second (references cached)"):
        start = time.monotonic()
        ev = evaluate_source(problem, problem.seed_source, box)
        wall = time.monotonic() - start
        stages = ", ".join(f"{s.stage} {s.wall_s:.2f} s in sandbox" for s in ev.stages)
        print(
            f"  {label}: seed evaluation, {attempt}: {wall:.2f} s ({stages}); "
            f"{ev.status}, score {ev.score:.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = os.environ.get("ADRS_DATA_DIR") or str(REPO.parent / "shared" / "data")
    parser.add_argument("--data", default=default)
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--no-sandbox", action="store_true")
    args = parser.parse_args()
    root = Path(args.data)
    real = not args.no_real and (root / "llm_sql" / "beer.csv").is_file()
    seed = load(PROBLEM / "initial.py", "bench_sql_seed")
    print("hit rates (field-separated prompts; no-sep: the published, unseparated metric)")

    os.environ.pop("ADRS_DATA_DIR", None)
    print("synthetic tables (default)")
    verifier = load(PROBLEM / "verifier.py", "bench_sql_verifier_synthetic")
    for split in ("search", "heldout"):
        split_table(verifier, seed, split)
    if not args.no_sandbox:
        eval_time("synthetic")
    if not real:
        print(f"no llm_sql/beer.csv under {root}: real-data figures skipped")
        return
    os.environ["ADRS_DATA_DIR"] = str(root)
    print(f"beer table ({root})")
    verifier = load(PROBLEM / "verifier.py", "bench_sql_verifier_real")
    for split in ("search", "heldout"):
        split_table(verifier, seed, split)
    beer = read_csv(root / verifier.BEER, verifier.BEER_MERGE)
    print("  whole table:")
    row(verifier, seed, verifier._case("beer-all", "bench:beer-all", beer))
    if not args.no_sandbox:
        eval_time("beer")


if __name__ == "__main__":
    main()
