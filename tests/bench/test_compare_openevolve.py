"""The OpenEvolve comparison: its answer pool applies to either system's prompt, its overlap
arithmetic is right, and its smoke mode runs both systems end to end."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.require import require

REPO = Path(__file__).resolve().parents[2]
COMPARE = REPO / "bench" / "compare"
SCRIPT = REPO / "bench" / "compare_openevolve.py"


def load(name: str, path: Path | None = None) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"compare_{name}", path or COMPARE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


pool = load("pool")
measure = load("measure")

OTHER = pool.SEED_SOURCE.replace(pool.SEED_PARAMS, "PARAMS = (9.0, 9.0, 9.0)")
CURRENT = pool.SEED_SOURCE.replace(pool.SEED_PARAMS, "PARAMS = (0.5, 1.5, 1.25)")

# The shapes of both systems' diff prompts: other programs first or after, the current one
# under each system's own title.
OPENEVOLVE_PROMPT = f"""# Current Program Information
- Fitness: 0.70

# Program Evolution History
## Top Performing Programs
```python
{OTHER}
```

# Current Program
```python
{CURRENT}
```

# Task
"""
ADRS_PROMPT = f"""# Problem: bench

## Current program (program 0123456789ab)
Score (combined_score): 0.70
```python
{CURRENT}
```

# Other programs from the search, for ideas

## Program 1 (program ba9876543210)
```python
{OTHER}
```
"""


@pytest.mark.parametrize("prompt", [OPENEVOLVE_PROMPT, ADRS_PROMPT], ids=["openevolve", "adrs"])
def test_answer_edits_the_current_program_of_either_prompt(prompt: str) -> None:
    text = pool.answer(prompt, 3)
    search, replace = re.search(r"SEARCH\n(.*)\n=======\n(.*)\n>>>>>>> REPLACE", text).groups()
    assert search == "PARAMS = (0.5, 1.5, 1.25)"
    assert replace == pool.params_line(3) != pool.params_line(4)


def test_bad_candidates_come_at_their_turns_and_are_recognised() -> None:
    hang = pool.answer(ADRS_PROMPT, 5, hang_at=5, hog_at=7)
    hog = pool.answer(ADRS_PROMPT, 7, hang_at=5, hog_at=7)
    assert pool.kind_of(CURRENT.replace("PARAMS = (0.5, 1.5, 1.25)", hang.split("=======\n")[1]))
    assert pool.kind_of(hang) == "hang" and pool.kind_of(hog) == "hog"
    assert pool.kind_of(pool.answer(ADRS_PROMPT, 6, hang_at=5, hog_at=7)) == "plain"


def test_prompt_without_a_current_program_gets_no_edit() -> None:
    assert "SEARCH" not in pool.answer("# Task\nno program here", 0)


def test_population_is_distinct_deterministic_and_below_the_seed() -> None:
    first = pool.population(50, 0.7)
    assert first == pool.population(50, 0.7)
    assert len({p["source"] for p in first}) == 50
    assert all(0 < p["score"] < 0.7 for p in first)


def test_overlap_counts_evaluation_time_covered_by_model_calls() -> None:
    requests = [{"t0": 0.0, "t1": 2.0}, {"t0": 1.0, "t1": 3.0}, {"t0": 10.0, "t1": 11.0}]
    # covered 2.5 of 3 s (union of overlapping calls, not their sum), then 0 of 2 s
    intervals = [[0.5, 3.5], [5.0, 7.0]]
    mostly, share = measure.overlap(intervals, requests)
    assert mostly == 1
    assert share == pytest.approx(2.5 / 5.0)
    assert measure.search_span(intervals, requests) == pytest.approx(11.0)


@pytest.mark.slow
def test_smoke_run_measures_both_systems(tmp_path: Path) -> None:
    script = load("compare_openevolve", SCRIPT)
    try:
        script.openevolve_python()  # its own virtual environment, from the package index
    except subprocess.CalledProcessError as exc:
        require(False, f"OpenEvolve could not be installed from the package index: {exc}")
    results = tmp_path / "RESULTS.md"
    argv = [sys.executable, str(SCRIPT), "--smoke", "--results", str(results)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=900, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = results.read_text()
    for system in ("adrs", "openevolve"):
        # three model calls, three evaluations, each system
        assert re.search(rf"^\| {system} \| 0\.2 \| 1 \| 3 \| 3 \|", text, re.M), text
    assert "| latency 0.2 s, parallel 1 |" in text
