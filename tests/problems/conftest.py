"""Fixtures for the bundled problems: synthetic workloads, or the shared real data."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from adrs.problem.loader import Problem, load_problem
from tests.conftest import PROBLEMS, SHARED_DATA
from tests.support.require import require


@pytest.fixture
def synthetic(monkeypatch: pytest.MonkeyPatch) -> None:
    """No data directory: every problem uses its seeded generator."""
    monkeypatch.delenv("ADRS_DATA_DIR", raising=False)


@pytest.fixture
def shared_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """ADRS_DATA_DIR (else ../shared/data beside the repo), set for the test."""
    root = Path(os.environ.get("ADRS_DATA_DIR") or SHARED_DATA)
    require(root.is_dir(), f"real workloads not found at {root} (set ADRS_DATA_DIR)")
    monkeypatch.setenv("ADRS_DATA_DIR", str(root))
    return root


def problem(name: str) -> Problem:
    """A freshly loaded problem (its case cache starts empty)."""
    return load_problem(PROBLEMS / name)


def seed_module(name: str) -> ModuleType:
    """The problem's seed program, imported in this process."""
    path = PROBLEMS / name / "initial.py"
    spec = importlib.util.spec_from_file_location(f"seed_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
