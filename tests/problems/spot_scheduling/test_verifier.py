"""spot_scheduling: logs are replayed on the host; forged and clairvoyant logs are rejected."""

from pathlib import Path

import pytest

from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.spec import Stage
from adrs.sandbox.process import ProcessSandbox
from evaluators.spot import market, traces
from evaluators.verdict import InvalidOutput
from tests.problems.conftest import problem, seed_module

NAME = "spot_scheduling"
QUICK = (Stage("quick", "search", 8),)


def logs_for(case: dict, decide_for) -> dict:
    """What the driver returns, with ``decide_for(window)`` giving each run's policy."""
    logs = []
    for window, deadline_h, overhead_h in case["input"]["runs"]:
        spot = case["input"]["spot"][window]
        scenario = market.Scenario.from_hours(deadline_h, overhead_h)
        logs.append(market.run_policy(spot, scenario, decide_for(spot)))
    return {"logs": logs}


def test_default_windows_are_synthetic_and_cover_every_trace_early(synthetic: None) -> None:
    v = problem(NAME).verifier
    search, heldout = v.cases("search", 0), v.cases("heldout", 0)
    assert len(search) == 80 and len(heldout) == 240
    assert {c["id"][len("syn-search-") : -3] for c in search[:8]} == set(traces.PROFILES)
    assert not {c["input"]["spot"][0] for c in search} & {c["input"]["spot"][0] for c in heldout}


def test_each_case_carries_a_twin_run_without_spot_after_a_hidden_tick(
    synthetic: None,
) -> None:
    case = problem(NAME).verifier.cases("search", 0)[0]
    primary, twin = case["input"]["spot"]
    cut = case["twin"]["from_tick"]
    assert primary[:cut] == twin[:cut] and set(twin[cut:]) == {"0"}
    assert primary[cut - 1] == "0" and "1" in primary[cut : cut + 12]  # cut during an outage
    runs = case["input"]["runs"]
    assert len(runs) == 10 and runs[case["twin"]["run"]][0] == 1
    assert runs[case["twin"]["run"]][1:] == runs[case["twin"]["of"]][1:]


def test_forged_and_malformed_logs_are_rejected(synthetic: None) -> None:
    v = problem(NAME).verifier
    case = v.cases("search", 0)[1]
    honest = logs_for(case, lambda spot: market.greedy)
    v.score(case, honest)
    forged = {"logs": ["S" * len(log) for log in honest["logs"]]}
    with pytest.raises(InvalidOutput, match="SPOT while spot is unavailable"):
        v.score(case, forged)
    with pytest.raises(InvalidOutput, match="expected 10 decision logs, got 9"):
        v.score(case, {"logs": honest["logs"][:9]})
    with pytest.raises(InvalidOutput, match=r"expected \{'logs'"):
        v.score(case, {"cost": 1.0})
    cut = {"logs": [log[:50] for log in honest["logs"]]}
    with pytest.raises(InvalidOutput, match="log ends after 50 ticks"):
        v.score(case, cut)


def test_a_policy_that_reads_future_availability_is_rejected(synthetic: None) -> None:
    v = problem(NAME).verifier
    case = v.cases("search", 0)[2]

    def clairvoyant(spot: str):
        def decide(state: market.TickState) -> str:
            if state.spot_available:
                return market.SPOT
            soon = "1" in spot[state.tick + 1 : state.tick + 36]  # spot back within 6 h?
            return market.NONE if soon else market.ON_DEMAND

        return decide

    with pytest.raises(InvalidOutput, match="decisions depend on future availability"):
        v.score(case, logs_for(case, clairvoyant))


def test_seed_figures_are_stable(synthetic: None) -> None:
    seed = seed_module(NAME)
    v = problem(NAME).verifier
    cases = v.cases("search", 0)[:8]
    metrics = v.combine([v.score(c, logs_for(c, lambda spot: seed.decide)) for c in cases])
    assert metrics["cost"] == pytest.approx(107.0051, abs=1e-4)
    assert metrics["greedy_cost"] == pytest.approx(110.0395, abs=1e-4)
    assert metrics["on_demand_cost"] == pytest.approx(147.5124, abs=1e-4)


def test_seed_runs_in_the_sandbox_with_the_same_figures(synthetic: None) -> None:
    p = problem(NAME)
    evaluation = evaluate_source(p, p.seed_source, ProcessSandbox(), QUICK)
    assert evaluation.status is Status.OK, evaluation.reason
    assert evaluation.metrics["cost"] == pytest.approx(107.0051, abs=1e-4)


PEEKING = """
import sys

# EVOLVE-BLOCK-START
def decide(state):
    spot = sys._getframe(1).f_locals["spot"]  # the simulator's whole window
    if state.spot_available:
        return "SPOT"
    return "NONE" if "1" in spot[state.tick + 1 : state.tick + 4] else "ON_DEMAND"
# EVOLVE-BLOCK-END
"""


def test_a_candidate_peeking_at_the_simulator_is_invalid_in_the_sandbox(synthetic: None) -> None:
    evaluation = evaluate_source(problem(NAME), PEEKING, ProcessSandbox(), QUICK)
    assert evaluation.status is Status.INVALID_OUTPUT
    assert "decisions depend on future availability" in evaluation.reason


def test_the_studys_prices_give_its_published_reference_costs() -> None:
    assert market.dollars(0, market.JOB_S) == pytest.approx(146.88)
    assert market.dollars(market.JOB_S, 0) == pytest.approx(46.71, abs=0.005)


def test_real_traces_give_the_studys_windows_and_split(shared_data: Path) -> None:
    v = problem(NAME).verifier
    search, heldout = v.cases("search", 0), v.cases("heldout", 0)
    assert len(search) == 8 * 30 and len(heldout) == 8 * 270
    assert search[0]["id"] == "us-west-2a_k80_1-w000"
    assert {len(c["input"]["spot"][0]) for c in search} == {554}
    assert not {c["id"] for c in search} & {c["id"] for c in heldout}


def test_generator_profiles_are_the_fit_of_the_real_traces(shared_data: Path) -> None:
    for name, profile in traces.PROFILES.items():
        fitted = traces.fit(traces.load_trace(shared_data / "spot" / f"{name}.json"))
        for field in ("available_share", "on_mu", "on_sigma", "off_mu", "off_sigma"):
            assert getattr(profile, field) == pytest.approx(getattr(fitted, field), abs=6e-4)
