"""Candidates can import the standard library and NumPy after the harness drops privileges.

Run as root, the process sandbox switches to an unprivileged uid before the candidate
loads; where the interpreter lives in a directory that uid cannot read (a Python under
/root, say), any module imported only afterwards would fail to load.
"""

from collections.abc import Callable
from pathlib import Path

from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.loader import load_problem
from adrs.sandbox.process import ProcessSandbox

IMPORTS = """
# EVOLVE-BLOCK-START
def solve(x):
    import bisect, collections, copy, dataclasses, heapq, statistics
    import numpy
    heap = [3, 1, 2]
    heapq.heapify(heap)
    numpy.random.seed(0)
    return int(numpy.array([x, x]).sum()) + heap[0] - 1
# EVOLVE-BLOCK-END
"""


def test_common_modules_import_inside_the_sandbox(make_problem: Callable[..., Path]) -> None:
    problem = load_problem(make_problem(IMPORTS))
    evaluation = evaluate_source(problem, problem.seed_source, ProcessSandbox())
    assert evaluation.status is Status.OK, evaluation.reason
    assert evaluation.score == 0.0
