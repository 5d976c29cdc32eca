"""The harness seeds `random` and NumPy's global generator for every case, and does not
import NumPy for a candidate that never does (that import alone costs ~0.1 s)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import numpy

from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.loader import load_problem
from adrs.sandbox.process import ProcessSandbox

VERIFIER = """
def cases(split, seed):
    return [{"id": f"{split}-0", "input": {"x": 1}}]

def score(case, output):
    return {"value": 0.0, **{k: float(v) for k, v in output.items()}}
"""

LAZY = """
# EVOLVE-BLOCK-START
def solve(x):
    import random, sys
    loaded = "numpy" in sys.modules
    first = random.randrange(10**9)
    import numpy
    return {"numpy_before": loaded, "py": first, "np": int(numpy.random.randint(10**9))}
# EVOLVE-BLOCK-END
"""

EAGER = """
import numpy  # imported with the candidate, before any case runs
# EVOLVE-BLOCK-START
def solve(x):
    return {"np": int(numpy.random.randint(10**9))}
# EVOLVE-BLOCK-END
"""


def run_case(make_problem: Callable[..., Path], seed: str) -> dict[str, float]:
    problem = load_problem(make_problem(seed, verifier=VERIFIER))
    evaluation = evaluate_source(problem, problem.seed_source, ProcessSandbox())
    assert evaluation.status is Status.OK, evaluation.reason
    metrics: dict[str, float] = evaluation.stages[0].cases[0]["metrics"]
    return metrics


def expected_draws(seed: int = 0) -> tuple[int, int]:
    py = random.Random(seed).randrange(10**9)
    numpy.random.seed(seed % (2**32))
    return py, int(numpy.random.randint(10**9))


def test_a_candidate_importing_numpy_late_gets_the_seeded_generator(
    make_problem: Callable[..., Path],
) -> None:
    case = run_case(make_problem, LAZY)
    py, np = expected_draws()
    assert case["numpy_before"] == 0.0  # the harness did not import it for the candidate
    assert (case["py"], case["np"]) == (py, np)


def test_a_candidate_importing_numpy_at_load_gets_the_seeded_generator(
    make_problem: Callable[..., Path],
) -> None:
    assert run_case(make_problem, EAGER)["np"] == expected_draws()[1]
