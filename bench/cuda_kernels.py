"""CUDA problems: compile time of each seed, and on a GPU its speedup and correctness.

    python bench/cuda_kernels.py [--split search|heldout] [--problems cuda_softmax ...]

Without a GPU it prints how long NVRTC takes to compile each seed to PTX and why the
evaluation cannot run. With a GPU (and CuPy) it evaluates each seed in the process
sandbox on every case of the split and prints, per case, the median speedup over the
library, the median kernel and library times, the worst error as a fraction of the
tolerance, and the status the verifier gave.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adrs.cuda.checks import gpu_probe  # noqa: E402
from adrs.evaluation.evaluate import evaluate_source  # noqa: E402
from adrs.problem.loader import load_problem  # noqa: E402
from adrs.problem.spec import Stage  # noqa: E402
from adrs.sandbox.process import ProcessSandbox  # noqa: E402
from evaluators.cuda import nvrtc  # noqa: E402
from evaluators.cuda.contract import load_contract  # noqa: E402
from evaluators.cuda.session import compile_checked  # noqa: E402

PROBLEMS = ["cuda_softmax", "cuda_layernorm", "cuda_matmul"]


def compile_times(name: str, repeats: int = 5) -> None:
    problem = load_problem(ROOT / "problems" / name)
    contract = load_contract(str(problem.kernel_path))
    times, size = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        compiled, _knobs = compile_checked(problem.seed_source, contract)
        times.append(time.perf_counter() - start)
        size = len(compiled.data)
    print(
        f"{name:16s} compile to PTX ({contract.arch}): median {statistics.median(times) * 1e3:.0f}"
        f" ms over {repeats}, {size / 1024:.1f} KiB of PTX"
    )


def evaluate(name: str, split: str) -> None:
    problem = load_problem(ROOT / "problems" / name)
    why = gpu_probe(problem)
    if why is not None:
        print(f"{name:16s} evaluation skipped: {why}")
        return
    start = time.perf_counter()
    ev = evaluate_source(problem, problem.seed_source, ProcessSandbox(), [Stage(split, split)])
    wall = time.perf_counter() - start
    stage = ev.final
    print(f"{name:16s} {split}: {stage.status} in {wall:.1f} s {stage.reason}")
    for case in stage.cases:
        m = case.get("metrics", {})
        if m:
            print(
                f"    {case['id']:18s} speedup {m['speedup']:8.3f}  kernel {m['kernel_ms']:9.4f} ms"
                f"  library {m['reference_ms']:9.4f} ms  worst error {m['worst_error']:.3f}"
                f"  of tolerance  bandwidth {m['bandwidth_fraction']:.2f} of peak"
            )
    if stage.metrics:
        print(f"    combined speedup (geometric mean): {stage.metrics['speedup']:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="search", choices=["search", "heldout"])
    parser.add_argument("--problems", nargs="*", default=PROBLEMS)
    args = parser.parse_args()
    missing = nvrtc.available()
    if missing is not None:
        print(f"NVRTC unavailable: {missing}")
        return 2
    major, minor = nvrtc.version()
    print(f"NVRTC {major}.{minor}")
    for name in args.problems:
        compile_times(name)
    for name in args.problems:
        evaluate(name, args.split)
    return 0


if __name__ == "__main__":
    sys.exit(main())
