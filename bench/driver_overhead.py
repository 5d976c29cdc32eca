"""The driver's own time per iteration with 1,000 and 10,000 programs already archived.

A run of the real `model_placement` problem is filled with N evaluated programs (variants
of the seed carrying the seed's real evaluation), then resumed for a number of iterations
on the inline executor. The engine's own steps are timed: selection, patching (with the
archive write of the program), recording an evaluation (its archive write) and admission
to the population. Sandbox time is not the driver's, so it is left out.

    .venv/bin/python bench/driver_overhead.py [--sizes 1000,10000] [--iterations 100]
        [--db-dir DIR | --db-url URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive_fill import fill

from adrs.archive.store import Archive, ProgramRecord
from adrs.engine import loop
from adrs.engine.runner import resume_run, start_run

PROBLEM = Path(__file__).resolve().parents[1] / "problems" / "model_placement"
STEPS = ("_select", "_patch", "_record", "_admit")
spent: dict[str, float] = defaultdict(float)
calls: dict[str, int] = defaultdict(int)


def timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started
            calls[name] += 1

    return wrapper


def fill_variants(db: str, run_id: str, count: int) -> None:
    """Add ``count`` evaluated variants of the seed, each with the seed's evaluation."""
    seed = Archive(db).programs(run_id)[0]
    fill(db, run_id, [(f"{seed.source}\n_variant = {i}\n", None) for i in range(count)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--db-url", help="a PostgreSQL (or other) URL instead of SQLite files")
    args = parser.parse_args()
    for name in STEPS:
        setattr(loop.Engine, name, timed(name, getattr(loop.Engine, name)))
    restore = loop.Engine.restore

    async def timed_restore(self: loop.Engine, programs: list[ProgramRecord]) -> None:
        started = time.perf_counter()
        await restore(self, programs)
        spent["restore"] += time.perf_counter() - started

    loop.Engine.restore = timed_restore  # type: ignore[method-assign]

    print(
        f"{'archived':>9} {'fill s':>7} {'restore s':>9} {'iters':>6} "
        + " ".join(f"{s.strip('_'):>9}" for s in STEPS)
        + f" {'total ms/iter':>14}"
    )
    with tempfile.TemporaryDirectory(prefix="adrs-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            db = args.db_url or f"sqlite:///{tmp}/archive-{size}.db"
            first = start_run(PROBLEM, {"iterations": 0, "executor": "inline"}, db=db)
            started = time.perf_counter()
            fill_variants(db, first.run_id, size)
            filled = time.perf_counter() - started
            spent.clear()
            calls.clear()
            resume_run(first.run_id, db=db, iterations=size + args.iterations)
            per_iter = {s: spent[s] * 1000 / args.iterations for s in STEPS}
            print(
                f"{size:>9} {filled:>7.1f} {spent['restore']:>9.2f} {args.iterations:>6} "
                + " ".join(f"{per_iter[s]:>9.2f}" for s in STEPS)
                + f" {sum(per_iter.values()):>14.2f}"
            )
    print("\nper-step figures are milliseconds per iteration, driver time only")


if __name__ == "__main__":
    main()
