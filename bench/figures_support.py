"""Shared pieces of the bench scripts that print a problem's seed, baseline and bound table."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from adrs.evaluation.evaluate import evaluate_source
from adrs.problem.loader import Problem, load_problem
from adrs.sandbox.process import ProcessSandbox

REPO = Path(__file__).resolve().parents[1]


def shared_data() -> Path | None:
    """ADRS_DATA_DIR, else ../shared/data beside the repo, if it exists."""
    path = Path(os.environ.get("ADRS_DATA_DIR") or REPO.parent / "shared" / "data")
    return path if path.is_dir() else None


@contextlib.contextmanager
def data_dir(path: Path | None) -> Iterator[None]:
    """Run with ADRS_DATA_DIR set to ``path`` (None: unset, i.e. synthetic workloads)."""
    old = os.environ.pop("ADRS_DATA_DIR", None)
    if path is not None:
        os.environ["ADRS_DATA_DIR"] = str(path)
    try:
        yield
    finally:
        os.environ.pop("ADRS_DATA_DIR", None)
        if old is not None:
            os.environ["ADRS_DATA_DIR"] = old


def problem(name: str) -> Problem:
    return load_problem(REPO / "problems" / name)


def seed_module(name: str) -> ModuleType:
    path = REPO / "problems" / name / "initial.py"
    spec = importlib.util.spec_from_file_location(f"seed_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def time_seed_evaluation(p: Problem, repeats: int = 3) -> tuple[float, float]:
    """Median and min wall time of one seed evaluation (all stages) in the process sandbox."""
    box = ProcessSandbox()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        evaluation = evaluate_source(p, p.seed_source, box)
        times.append(time.perf_counter() - start)
        if evaluation.status != "ok":
            raise SystemExit(f"seed evaluation failed: {evaluation.status}: {evaluation.reason}")
    return statistics.median(times), min(times)


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(" --- " for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
