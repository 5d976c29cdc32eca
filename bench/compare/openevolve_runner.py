"""One OpenEvolve run of the comparison, in OpenEvolve's own virtual environment.

    python bench/compare/openevolve_runner.py run --base-url URL --iterations N --parallel P \
        --out F [--checkpoint DIR] [--population-size K] [--workdir DIR]
    python bench/compare/openevolve_runner.py prepare --population POP.json --checkpoint DIR

It imports nothing of ADRS. ``prepare`` writes an OpenEvolve checkpoint holding the seed
(evaluated for real) and a prepared population; ``run --checkpoint`` resumes from it, so
that what is measured (wall, this process's CPU time and peak memory) is the search alone.
Settings are OpenEvolve's defaults except where the comparison needs them equal to ours:
the parallelism, two islands, the population size, a 60 s evaluation timeout (ours for
this folder) and no cascade (the evaluator has a single stage).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

from openevolve import OpenEvolve
from openevolve.config import Config
from openevolve.database import Program, ProgramDatabase
from pool import kind_of  # this folder: the script's own directory is on sys.path

PROBLEM = Path(__file__).resolve().parent / "problem"
SEED = PROBLEM / "initial_program.py"
EVALUATOR = PROBLEM / "evaluator.py"


def config(args: argparse.Namespace) -> Config:
    return Config.from_dict(
        {
            "max_iterations": args.iterations,
            "log_level": "WARNING",
            "llm": {
                "models": [{"name": "bench-model", "weight": 1.0}],
                "api_base": args.base_url,
                "api_key": "stub",
                "timeout": 120,
            },
            "database": {"num_islands": 2, "population_size": args.population_size},
            "evaluator": {
                "timeout": 60,
                "parallel_evaluations": args.parallel,
                "cascade_evaluation": False,
            },
        }
    )


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """A checkpoint: the seed, evaluated, then the population as if found by iteration i."""
    spec = importlib.util.spec_from_file_location("bench_evaluator", EVALUATOR)
    assert spec is not None and spec.loader is not None
    evaluator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evaluator)
    seed_metrics = evaluator.evaluate(str(SEED))
    database = ProgramDatabase(config(args).database)
    database.add(Program(id="seed", code=SEED.read_text(), metrics=seed_metrics), 0, 0)
    programs = json.loads(args.population.read_text(encoding="utf-8"))
    for i, item in enumerate(programs, start=1):
        program = Program(
            id=f"prepared-{i}",
            code=item["source"],
            parent_id="seed",
            generation=1,
            iteration_found=i,
            metrics={"combined_score": item["score"]},
        )
        database.add(program, i, i % 2)
    database.save(str(args.checkpoint), len(programs))
    return {"programs": len(database.programs), "seed_score": seed_metrics["combined_score"]}


def status_of(metrics: dict[str, Any]) -> str:
    if metrics.get("timeout"):
        return "timeout"
    if "combined_score" not in metrics:
        return "error"
    return "ok"


def run(args: argparse.Namespace) -> dict[str, Any]:
    args.eval_log = args.eval_log or args.workdir / "evaluations.jsonl"
    args.eval_log.parent.mkdir(parents=True, exist_ok=True)
    args.eval_log.touch()
    os.environ["BENCH_EVAL_LOG"] = str(args.eval_log)  # the workers inherit it
    controller = OpenEvolve(
        initial_program_path=str(SEED),
        evaluation_file=str(EVALUATOR),
        config=config(args),
        output_dir=str(args.workdir),
    )
    checkpoint = str(args.checkpoint) if args.checkpoint else None
    first_iteration = controller.database.last_iteration
    if checkpoint:
        first_iteration = json.loads((args.checkpoint / "metadata.json").read_text())[
            "last_iteration"
        ]
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    best = asyncio.run(controller.run(iterations=args.iterations, checkpoint_path=checkpoint))
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = [
        p
        for p in controller.database.programs.values()
        if p.iteration_found > first_iteration and p.id != "seed"
    ]
    statuses: dict[str, int] = {}
    for program in found:
        key = status_of(program.metrics)
        statuses[key] = statuses.get(key, 0) + 1
    seed = [p for p in controller.database.programs.values() if p.iteration_found == 0]
    # The seed is evaluated here, in the main process; the search's evaluations in workers.
    log = [json.loads(line) for line in args.eval_log.read_text().splitlines()]
    log = [e for e in log if e["pid"] != os.getpid()]
    return {
        "system": "openevolve",
        "wall_s": wall,
        "cpu_self_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "cpu_children_s": children.ru_utime + children.ru_stime,
        "maxrss_self_mb": after.ru_maxrss / 1024,
        # Completed evaluate() calls, from the evaluator's own log: the database keeps only
        # the programs it admitted, and some of those are replaced later.
        "evaluated": sum(1 for e in log if e["event"] == "end"),
        "evaluation_attempts": sum(1 for e in log if e["event"] == "start"),
        "statuses": statuses,
        "evaluations": [
            {
                "kind": kind_of(p.code),
                "status": status_of(p.metrics),
                "finished_at": p.timestamp,
            }
            for p in found
        ],
        "intervals": [[e["t_start"], e["t"]] for e in log if e["event"] == "end"],
        "seed_score": seed[0].metrics.get("combined_score") if seed else None,
        "best_score": best.metrics.get("combined_score") if best else None,
        "programs_in_database": len(controller.database.programs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("run", "prepare"))
    parser.add_argument("--base-url", default="http://127.0.0.1:9/v1")
    parser.add_argument("--iterations", type=int, default=0)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--population-size", type=int, default=1000)
    parser.add_argument("--population", type=Path, help="prepare: the population's JSON")
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--workdir", type=Path, default=Path("openevolve_output"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--eval-log", type=Path, help="run: where the evaluator logs")
    args = parser.parse_args()
    out = prepare(args) if args.mode == "prepare" else run(args)
    if args.out:
        args.out.write_text(json.dumps(out), encoding="utf-8")
    else:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
