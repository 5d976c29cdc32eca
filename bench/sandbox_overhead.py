"""Per-evaluation overhead of the sandbox backends on a trivial candidate.

Prints median and p95 of the host-side time of one ``Sandbox.run`` (job setup, launch,
harness start, one case, teardown as seen by the caller) for the process backend, the
docker backend with no pool (cold: create + start per evaluation) and with a warm pool
(containers created ahead, started on demand; never reused).

    .venv/bin/python bench/sandbox_overhead.py [--runs 25] [--pool 2] [--backends process]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from adrs.evaluation.evaluate import build_job
from adrs.problem.loader import load_problem
from adrs.sandbox.base import Sandbox
from adrs.sandbox.process import ProcessSandbox

TOML = """
name = "trivial"
entry = "solve"
[objective]
metric = "value"
direction = "maximize"
[limits]
timeout_s = 30
memory_mb = 512
"""
VERIFIER = """
def cases(split, seed):
    return [{"id": f"{split}-0", "input": {"x": 1}}]

def score(case, output):
    return {"value": float(output)}
"""
SEED = "# EVOLVE-BLOCK-START\ndef solve(x):\n    return 2 * x\n# EVOLVE-BLOCK-END\n"


def problem_dir() -> Path:
    root = Path(tempfile.mkdtemp(prefix="adrs-bench-")) / "trivial"
    root.mkdir()
    (root / "problem.toml").write_text(TOML)
    (root / "verifier.py").write_text(VERIFIER)
    (root / "initial.py").write_text(SEED)
    (root / "prompt.md").write_text("x\n")
    return root


def measure(sandbox: Sandbox, runs: int, warmup: int = 2) -> tuple[list[float], int]:
    problem = load_problem(problem_dir())
    cases = problem.verifier.cases("search", 0)
    run_id = f"bench-{secrets.token_hex(3)}"
    times: list[float] = []
    pooled = 0
    for i in range(warmup + runs):
        job = build_job(
            problem,
            SEED,
            cases,
            secrets.token_hex(8),
            {"adrs.run": run_id, "adrs.program": f"p{i}"},
        )
        t0 = time.perf_counter()
        result = sandbox.run(job)
        elapsed = time.perf_counter() - t0
        assert result.exit_code == 0 and b'"t":"end"' in result.output, result.stderr
        if i >= warmup:
            times.append(elapsed)
            pooled += bool(result.applied.get("pooled"))
    return times, pooled


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--pool", type=int, default=2)
    parser.add_argument(
        "--backends", nargs="+", choices=("process", "docker"), default=["process", "docker"]
    )
    args = parser.parse_args()
    from adrs.sandbox.docker_sandbox import DockerSandbox

    rows = []
    configs: list[tuple[str, object]] = []
    if "process" in args.backends:
        configs.append(("process", ProcessSandbox))
    if "docker" in args.backends:
        configs += [
            ("docker cold (no pool)", lambda: DockerSandbox(pool_size=0)),
            (f"docker pooled (pool {args.pool})", lambda: DockerSandbox(pool_size=args.pool)),
        ]
    for label, factory in configs:
        sandbox = factory()  # type: ignore[operator]
        try:
            times, pooled = measure(sandbox, args.runs)
        finally:
            closer = getattr(sandbox, "close", None)
            if closer:
                closer()
        rows.append((label, statistics.median(times), p95(times), pooled, len(times)))
    print(f"{'backend':28} {'median ms':>10} {'p95 ms':>10} {'pool hits':>10}")
    for label, median, high, pooled, n in rows:
        print(f"{label:28} {median * 1000:10.1f} {high * 1000:10.1f} {pooled:>6}/{n}")


if __name__ == "__main__":
    main()
