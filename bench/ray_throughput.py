"""Evaluations per minute on the Ray executor with 1, 2 and 4 slots, against the ideal.

The problem's every evaluation sleeps a fixed time inside the sandbox, so the ideal is
``slots * 60 / seconds`` per minute; the gap is sandbox start-up, the verifier, Ray and the
driver. Also prints how long the embedded Ray takes to start and how much memory its
processes hold.

    .venv/bin/python bench/ray_throughput.py [--seconds 1.0] [--iterations 24]
        [--slots 1,2,4] [--sandbox auto|docker|process]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from adrs.archive.store import Archive
from adrs.engine.runner import start_run
from adrs.evaluation.status import ProgramState
from adrs.execute import ray_cluster
from adrs.problem.loader import load_problem
from adrs.sandbox.select import choose_sandbox

# A problem whose every evaluation takes a fixed time.
TOML = """
name = "fixed_time"
entry = "solve"
[objective]
metric = "value"
direction = "maximize"
[[stages]]
name = "full"
split = "search"
[limits]
timeout_s = 60
memory_mb = 512
"""

VERIFIER = """
def cases(split, seed):
    base = 0 if split == "search" else 100
    return [{"id": f"{split}-{i}", "input": {"x": base + i}} for i in range(3)]

def score(case, output):
    return {"value": -abs(float(output) - 2 * case["input"]["x"])}
"""

SEED = """
import time
time.sleep({seconds})  # outside the evolvable region: the fixed cost of every evaluation
# EVOLVE-BLOCK-START
def solve(x):
    return x + x
# EVOLVE-BLOCK-END
"""


def write_problem(root: Path, seconds: float) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "problem.toml").write_text(TOML)
    (root / "verifier.py").write_text(VERIFIER)
    (root / "initial.py").write_text(SEED.format(seconds=seconds))
    (root / "prompt.md").write_text("Double the input.\n")
    return root


def rss_mb(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    found, stack = set(), [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def steady_rate(db: str, run_id: str) -> tuple[int, float]:
    """Evaluations after the seed, per minute, between the seed's end and the last one."""
    programs = Archive(db).programs(run_id)
    done = sorted(
        p.evaluated_at
        for p in programs
        if p.state == ProgramState.EVALUATED and p.evaluated_at is not None
    )
    span = (done[-1] - done[0]).total_seconds()
    return len(done) - 1, (len(done) - 1) * 60 / span if span > 0 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="fixed evaluation time")
    parser.add_argument("--iterations", type=int, default=24, help="proposals per slot count")
    parser.add_argument("--slots", default="1,2,4")
    parser.add_argument("--sandbox", default="auto", help="the sandbox backend (default: auto)")
    args = parser.parse_args()
    slot_counts = [int(s) for s in args.slots.split(",")]

    started = time.perf_counter()
    ray_cluster.connect(None, max(slot_counts))
    startup = time.perf_counter() - started
    ray_pids = descendants(os.getpid())
    print(f"ray.init (embedded, {max(slot_counts)} sandbox slots): {startup:.2f} s")
    print(f"resident memory of the embedded Ray's processes: {rss_mb(ray_pids):.0f} MiB")
    print(f"resident memory of this driver process: {rss_mb({os.getpid()}):.0f} MiB")

    with tempfile.TemporaryDirectory(prefix="adrs-bench-") as tmp:
        problem = write_problem(Path(tmp) / "fixed_time", args.seconds)
        backend, why = choose_sandbox(args.sandbox, load_problem(problem))
        print(f"\nsandbox: {backend} ({why})")
        print(f"fixed evaluation time {args.seconds:g} s; {args.iterations} proposals per row")
        print(f"{'slots':>5} {'evals':>6} {'per min':>8} {'ideal':>7} {'fraction':>9}")
        for slots in slot_counts:
            db = f"sqlite:///{tmp}/slots{slots}.db"
            settings = {
                "iterations": args.iterations * slots,
                "evaluation_slots": slots,
                "executor": "ray",
                "sandbox": backend,
                "seed": 0,
            }
            result = start_run(problem, settings, db=db)
            count, rate = steady_rate(db, result.run_id)
            ideal = slots * 60 / args.seconds
            print(f"{slots:>5} {count:>6} {rate:>8.1f} {ideal:>7.1f} {rate / ideal:>9.2f}")
    ray_cluster.shutdown()


if __name__ == "__main__":
    main()
