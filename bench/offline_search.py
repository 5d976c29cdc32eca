"""How much the offline mutator improves model_placement, on search and held-out cases.

Runs an offline evolution per seed, validates the seed program and the best programs on the
held-out split, and prints both against round-robin placement and the lower bound.

    python bench/offline_search.py --iterations 300 --seeds 0 1 2 [--sandbox process]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from adrs.archive.store import Archive
from adrs.engine.runner import start_run
from adrs.engine.validate import validate_run
from adrs.evaluation.evaluate import evaluate_source
from adrs.problem.loader import load_problem
from adrs.problem.spec import Stage
from adrs.sandbox.process import ProcessSandbox

PROBLEM = Path(__file__).resolve().parents[1] / "problems" / "model_placement"


def reference_metrics() -> dict[str, dict[str, float]]:
    """Round-robin and the lower bound per split (the verifier reports both beside the score)."""
    problem = load_problem(PROBLEM)
    out = {}
    for split in ("search", "heldout"):
        ev = evaluate_source(problem, problem.seed_source, ProcessSandbox(), (Stage(split, split),))
        out[split] = ev.metrics
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--eval-slots", type=int, default=2)
    # Named, not "auto": where Docker answers, auto would time containers instead.
    parser.add_argument("--sandbox", choices=("process", "docker"), default="process")
    args = parser.parse_args()
    refs = reference_metrics()
    print(
        f"model_placement, {args.iterations} offline iterations per run, "
        f"{args.eval_slots} evaluation slots, {args.sandbox} sandbox"
    )
    for split in ("search", "heldout"):
        m = refs[split]
        print(
            f"  {split:8s} round-robin {m['round_robin_kvpr']:.5f}   "
            f"lower bound {m['lower_bound']:.5f}"
        )
    print(
        f"{'seed':>4}  {'evals':>5}  {'eval/s':>6}  {'seed search':>11}  {'best search':>11}"
        f"  {'change':>7}  {'seed heldout':>12}  {'best heldout':>12}  {'change':>7}"
    )
    changes: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            db = f"sqlite:///{tmp}/bench-{seed}.db"
            start = time.monotonic()
            result = start_run(
                PROBLEM,
                {
                    "iterations": args.iterations,
                    "seed": seed,
                    "executor": "inline",
                    "evaluation_slots": args.eval_slots,
                    "sandbox": args.sandbox,
                },
                db=db,
            )
            wall = time.monotonic() - start
            rows = validate_run(Archive(db), result.run_id, top=1)
            seed_row = next(r for r in rows if r.is_seed)
            best_row = next((r for r in rows if not r.is_seed), seed_row)
            assert result.seed_score and result.best_score and seed_row.heldout_score
            assert best_row.heldout_score
            d_search = (result.best_score - result.seed_score) / result.seed_score * 100
            d_held = (
                (best_row.heldout_score - seed_row.heldout_score) / seed_row.heldout_score * 100
            )
            changes.append((d_search, d_held))
            print(
                f"{seed:>4}  {result.evaluations:>5}  {result.evaluations / wall:>6.2f}  "
                f"{result.seed_score:>11.5f}  {result.best_score:>11.5f}  {d_search:>+6.2f}%"
                f"  {seed_row.heldout_score:>12.5f}  {best_row.heldout_score:>12.5f}  "
                f"{d_held:>+6.2f}%"
            )
    print(
        f"mean change: search {statistics.mean(c[0] for c in changes):+.2f}%, "
        f"heldout {statistics.mean(c[1] for c in changes):+.2f}% (negative is better)"
    )


if __name__ == "__main__":
    main()
