"""Shared fixtures: small problem folders written on the fly, archives and paths."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.archive.store import Archive

# Runs in tests evaluate in-process unless a test asks for Ray by name: a local Ray per test
# process costs seconds and memory, and tests that patch HOME would give it a stray token.
os.environ.setdefault("ADRS_EXECUTOR", "inline")

REPO = Path(__file__).resolve().parents[1]
PROBLEMS = REPO / "problems"
SHARED_DATA = REPO.parent / "shared" / "data"

TOY_TOML = """
name = "toy"
entry = "solve"
[objective]
metric = "value"
direction = "maximize"
[[stages]]
name = "full"
split = "search"
[limits]
timeout_s = {timeout}
memory_mb = 512
output_mb = 1
processes = 16
"""

TOY_VERIFIER = """
from evaluators.verdict import InvalidOutput

def cases(split, seed):
    base = 0 if split == "search" else 100
    return [{"id": f"{split}-{i}", "input": {"x": base + i}, "expected": 2 * (base + i)}
            for i in range(3)]

def score(case, output):
    if not isinstance(output, (int, float)) or isinstance(output, bool):
        raise InvalidOutput(f"expected a number, got {type(output).__name__}")
    if output != output:
        raise InvalidOutput("output is NaN")
    return {"value": -abs(output - case["expected"])}
"""

TOY_SEED = """
# EVOLVE-BLOCK-START
def solve(x):
    return x + x
# EVOLVE-BLOCK-END
"""


@pytest.fixture
def make_problem(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny native problem whose candidate doubles a number; returns its folder."""

    def make(
        seed: str = TOY_SEED,
        *,
        timeout: float = 10,
        verifier: str = TOY_VERIFIER,
        toml: str | None = None,
        name: str = "toy",
    ) -> Path:
        root = tmp_path / name
        root.mkdir()
        (root / "problem.toml").write_text(toml or TOY_TOML.format(timeout=timeout))
        (root / "initial.py").write_text(textwrap.dedent(seed))
        (root / "verifier.py").write_text(verifier)
        (root / "prompt.md").write_text("Double the input.\n")
        return root

    return make


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(f"sqlite:///{tmp_path / 'archive.db'}")
