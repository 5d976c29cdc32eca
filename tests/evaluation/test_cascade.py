"""The evaluation cascade: a cheap stage first, the full stage only above its threshold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.loader import load_problem
from adrs.sandbox.process import ProcessSandbox

CASCADE = """
name = "toy"
entry = "solve"
[objective]
metric = "value"
direction = "maximize"
[[stages]]
name = "quick"
split = "search"
cases = 1
threshold = -0.5
[[stages]]
name = "full"
split = "search"
"""


def test_program_below_threshold_stops_after_the_quick_stage(
    make_problem: Callable[..., Path],
) -> None:
    problem = load_problem(make_problem(toml=CASCADE))
    bad = "# EVOLVE-BLOCK-START\ndef solve(x):\n    return 2 * x + 1\n# EVOLVE-BLOCK-END\n"
    ev = evaluate_source(problem, bad, ProcessSandbox())
    assert [s.stage for s in ev.stages] == ["quick"]
    assert ev.status is Status.OK and not ev.complete and ev.score is None
    assert "did not reach stage threshold -0.5" in ev.reason
    assert len(ev.stages[0].cases) == 1


def test_good_program_runs_every_stage_and_gets_the_full_score(
    make_problem: Callable[..., Path],
) -> None:
    problem = load_problem(make_problem(toml=CASCADE))
    ev = evaluate_source(problem, problem.seed_source, ProcessSandbox())
    assert [s.stage for s in ev.stages] == ["quick", "full"]
    assert ev.complete and ev.score == 0.0 and len(ev.final.cases) == 3
