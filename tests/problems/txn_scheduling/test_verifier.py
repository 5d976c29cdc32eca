"""txn_scheduling: the verifier computes makespans itself and rejects non-permutations."""

from pathlib import Path

import pytest

from adrs.errors import ProblemError
from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.sandbox.process import ProcessSandbox
from evaluators.txn import makespan as txn
from evaluators.verdict import InvalidOutput
from tests.problems.conftest import problem, seed_module

NAME = "txn_scheduling"


def test_default_workloads_are_synthetic_and_disjoint(synthetic: None) -> None:
    v = problem(NAME).verifier
    search, heldout = v.cases("search", 0), v.cases("heldout", 0)
    assert len(search) == 9 and len(heldout) == 15
    assert all(c["id"].startswith("syn-") for c in search + heldout)
    assert [c["family"] for c in search[:3]] == ["hot", "rmw", "few_keys"]
    inputs = {str(c["input"]) for c in search}
    assert not inputs & {str(c["input"]) for c in heldout}


def test_makespan_is_recomputed_from_the_order_alone(synthetic: None) -> None:
    case = problem(NAME).verifier.cases("search", 0)[0]
    n = len(case["input"]["txns"])
    forward = problem(NAME).verifier.score(case, list(range(n)))
    assert forward["makespan"] == case["sequential"]
    backward = problem(NAME).verifier.score(case, list(range(n))[::-1])
    ops = txn.parse_workload(case["input"]["txns"])
    assert backward["makespan"] == txn.makespan(ops, range(n - 1, -1, -1))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda n: list(range(n - 1)), "schedule has 99 of 100 transactions"),
        (lambda n: [0, *range(n)], "transaction 0 appears twice"),
        (lambda n: [*range(n - 1), n], "is not a transaction"),
        (lambda n: (123, list(range(n))), r"schedule\[0\] = 123 is not a transaction"),
        (lambda n: {"makespan": 1, "schedule": list(range(n))}, "got dict"),
    ],
)
def test_outputs_the_published_check_lets_through_are_rejected(
    synthetic: None, make, message: str
) -> None:
    case = problem(NAME).verifier.cases("search", 0)[0]
    with pytest.raises(InvalidOutput, match=message):
        problem(NAME).verifier.score(case, make(len(case["input"]["txns"])))


def test_seed_figures_are_stable(synthetic: None) -> None:
    seed = seed_module(NAME)
    v = problem(NAME).verifier
    cases = v.cases("search", 0)
    metrics = [v.score(c, seed.schedule_transactions(c["input"]["txns"])) for c in cases]
    combined = v.combine(metrics)
    assert combined["total_makespan"] == 1135
    assert combined["total_sequential_makespan"] == 1473
    assert combined["total_lower_bound"] == 333


def test_seed_runs_in_the_sandbox_with_the_same_figures(synthetic: None) -> None:
    p = problem(NAME)
    evaluation = evaluate_source(p, p.seed_source, ProcessSandbox())
    assert evaluation.status is Status.OK and evaluation.complete
    assert evaluation.metrics["total_makespan"] == 1135
    assert 0 < evaluation.metrics["elapsed_s"] < 5


def test_real_workloads_reproduce_the_studys_sequential_makespans(shared_data: Path) -> None:
    v = problem(NAME).verifier
    search = v.cases("search", 0)
    assert [c["id"] for c in search] == ["real-WORKLOAD_1", "real-WORKLOAD_2", "real-WORKLOAD_3"]
    assert [c["sequential"] for c in search] == [452, 38, 47]
    assert [c["longest"] for c in search] == [16, 21, 9]
    heldout = v.cases("heldout", 0)
    assert len(heldout) == 6
    # Relabelled copies: a different input with the same structure (and so the same bounds).
    for copy in heldout:
        original = next(c for c in search if copy["id"].startswith(c["id"] + "-"))
        assert copy["input"] != original["input"]
        assert (copy["bound"], copy["longest"]) == (original["bound"], original["longest"])


def test_a_malformed_workloads_file_is_named_in_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "txn").mkdir()
    (tmp_path / "txn" / "workloads.json").write_text('{"W": {"txn0": "r-1 q-2"}}')
    monkeypatch.setenv("ADRS_DATA_DIR", str(tmp_path))
    with pytest.raises(ProblemError) as info:
        problem(NAME).verifier.cases("search", 0)
    message = str(info.value)
    assert "workloads.json: workload 'W': transaction 0: bad operation 'q-2'" in message
    assert "\n" not in message
