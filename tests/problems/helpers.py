"""Helpers for problem tests: the real-data directory, a problem's modules, sandbox runs."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

from adrs.evaluation.evaluate import StageResult, run_stage
from adrs.problem.loader import Problem, load_problem
from adrs.problem.spec import Stage
from adrs.sandbox.process import ProcessSandbox
from tests.conftest import PROBLEMS, SHARED_DATA


def data_dir() -> Path:
    """Where the real workloads are: ``ADRS_DATA_DIR``, else ``<repo>/../shared/data``."""
    value = os.environ.get("ADRS_DATA_DIR", "").strip()
    return Path(value) if value else SHARED_DATA


def load_module(path: Path, name: str) -> ModuleType:
    """Import a file as a fresh module (a problem's seed, driver or verifier)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problem(name: str) -> Problem:
    return load_problem(PROBLEMS / name)


def verifier(name: str) -> ModuleType:
    """A fresh copy of a problem's verifier module (its caches start empty)."""
    return load_module(PROBLEMS / name / "verifier.py", f"verifier_{name}_under_test")


def seed(name: str) -> ModuleType:
    return load_module(PROBLEMS / name / "initial.py", f"seed_{name}_under_test")


def run_in_sandbox(name: str, source: str, cases: int = 1) -> StageResult:
    """Evaluate ``source`` on the first ``cases`` search cases in the process sandbox."""
    return run_stage(problem(name), source, Stage("probe", "search", cases), ProcessSandbox())
