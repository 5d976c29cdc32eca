"""One ADRS run of the comparison, in a process of its own, measured from inside.

    python bench/compare/adrs_runner.py run --base-url URL --iterations N --parallel P --out F
    python bench/compare/adrs_runner.py prepare --population POP.json --db URL --out F
    python bench/compare/adrs_runner.py resume --run RUN --iterations N --db URL --out F ...

``prepare`` evaluates the seed and fills the archive with a prepared population; ``resume``
then runs N more iterations over it in a fresh process, so that what is measured (wall,
this process's CPU time and peak memory) is the search alone.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))

from archive_fill import fill  # noqa: E402  (bench/, not a package)
from pool import kind_of  # noqa: E402  (this script's folder)

from adrs.archive.store import Archive  # noqa: E402
from adrs.engine.runner import RunResult, resume_run, start_run  # noqa: E402

PROBLEM = Path(__file__).resolve().parent / "problem"


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The same search shape as OpenEvolve's side: P model calls and P evaluations at once."""
    return {
        "iterations": args.iterations,
        "models": ["openai:bench-model"],
        "base_url": args.base_url,
        "proposal_slots": args.parallel,
        "evaluation_slots": args.parallel,
        "islands": 2,
        "island_capacity": max(100, args.capacity),
        # Every prompt a diff against the current program, as on OpenEvolve's side.
        "fix_rate": 0.0,
        "crossover_rate": 0.0,
        "rewrite_rate": 0.0,
        "sandbox": args.sandbox,
        "executor": args.executor,
        "seed": 0,
    }


def measure(work: Any, profile: Path | None) -> tuple[RunResult, dict[str, float]]:
    # The main thread's CPU time, not wall time: a call that blocks (Ray waiting on its
    # processes, a socket read) costs the driver nothing.
    profiler = cProfile.Profile(time.thread_time) if profile else None
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = work()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result, {"wall_s": wall, "cpu_self_s": cpu, "maxrss_self_mb": after.ru_maxrss / 1024}


def report(db: str, result: RunResult, figures: dict[str, float], skip: int) -> dict[str, Any]:
    """What the run did after its first ``skip`` programs (the prepared population)."""
    archive = Archive(db)
    run = archive.get_run(result.run_id)
    statuses: dict[str, int] = {}
    intervals = []
    evaluations = []
    for program in archive.programs(result.run_id):
        if program.seq <= skip:
            continue
        key = program.status or program.state
        statuses[key] = statuses.get(key, 0) + 1
        for row in archive.evaluations(program.id):
            evaluations.append(
                {
                    "seq": program.seq,
                    "kind": kind_of(program.source),
                    "status": row.status,
                    "reason": row.reason,
                    "wall_s": row.wall_s,
                }
            )
        if "t_start" in program.metrics:
            intervals.append([program.metrics["t_start"], program.metrics["t_end"]])
    archive.close()
    return {
        "system": "adrs",
        **figures,
        "iterations": run.iterations - skip,
        "evaluated": len(evaluations),
        "statuses": statuses,
        "evaluations": evaluations,
        "intervals": intervals,
        "seed_score": result.seed_score,
        "best_score": result.best_score,
        "stop_reason": result.stop_reason,
        "sandbox": run.sandbox_backend,
        "run_id": result.run_id,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("run", "prepare", "resume"))
    parser.add_argument("--base-url", default="http://127.0.0.1:9/v1")
    parser.add_argument("--iterations", type=int, default=0)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--capacity", type=int, default=100, help="population per island")
    parser.add_argument("--sandbox", default="process")
    parser.add_argument("--executor", default="ray")
    parser.add_argument("--db", required=True)
    parser.add_argument("--population", type=Path, help="prepare: the population's JSON")
    parser.add_argument("--run", help="resume: the prepared run")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--profile", type=Path, help="cProfile the run call into this file")
    args = parser.parse_args()

    if args.mode == "prepare":
        programs = json.loads(args.population.read_text(encoding="utf-8"))
        args.iterations = 0
        first = start_run(PROBLEM, settings(args), db=args.db)
        fill(args.db, first.run_id, [(p["source"], p["score"]) for p in programs])
        out: dict[str, Any] = {"run_id": first.run_id, "seed_score": first.seed_score}
    elif args.mode == "run":
        result, figures = measure(
            lambda: start_run(PROBLEM, settings(args), db=args.db), args.profile
        )
        out = report(args.db, result, figures, skip=0)
    else:
        size = len(Archive(args.db).programs(args.run)) - 1  # the seed is not counted
        result, figures = measure(
            lambda: resume_run(args.run, db=args.db, iterations=size + args.iterations),
            args.profile,
        )
        out = report(args.db, result, figures, skip=size)
    args.out.write_text(json.dumps(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
