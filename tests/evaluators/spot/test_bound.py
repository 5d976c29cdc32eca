"""The hindsight DP is exact on small jobs (checked against every decision sequence)."""

import itertools
import random

import pytest

from evaluators.spot import bound, market, traces
from evaluators.spot.market import Scenario


def brute_force(spot: str, sc: Scenario) -> float:
    """Least cost over every decision sequence, applying the simulator's rules."""
    best = float("inf")
    for seq in itertools.product("SDN", repeat=len(spot)):
        job = market.Job(sc)
        forced = False
        for t, choice in enumerate(seq):
            if job.finish_s is not None:
                break
            available = spot[t] == "1"
            job.observe(available)
            forced = forced or sc.forced(t, job.done)
            code = "D" if forced else choice
            if code == "S" and not available:
                break
            job.step(code)
        if job.finish_s is not None and job.finish_s <= sc.deadline_s:
            best = min(best, market.dollars(job.spot_s, job.on_demand_s))
    return best


@pytest.mark.parametrize(
    ("spot", "sc"),
    [
        ("1101011", Scenario(deadline_s=3900, overhead_s=72, job_s=1800)),
        ("0110110", Scenario(deadline_s=4000, overhead_s=720, job_s=1200)),
        ("1011101", Scenario(deadline_s=4100, overhead_s=1440, job_s=1200)),
        ("1110011", Scenario(deadline_s=3700, overhead_s=1300, job_s=1000)),
        ("0000000", Scenario(deadline_s=3000, overhead_s=0, job_s=1800)),
    ],
)
def test_dp_matches_exhaustive_search(spot: str, sc: Scenario) -> None:
    assert bound.hindsight_cost(spot, sc) == pytest.approx(brute_force(spot, sc), abs=1e-9)


def test_bound_is_below_every_policy_on_a_study_sized_window() -> None:
    window = traces.generate(traces.PROFILES["us-west-2a_v100_1"], 554, random.Random(0))
    for sc in market.study_scenarios()[::4]:
        best = bound.hindsight_cost(window, sc)
        for decide in (market.greedy, lambda s: market.ON_DEMAND):
            cost = market.replay(window, sc, market.run_policy(window, sc, decide)).cost
            assert best <= cost + 1e-9
        assert best >= sc.job_s / 3600 * market.PRICE_PER_H["S"]


def test_bound_with_spot_always_available_is_one_spot_launch() -> None:
    sc = Scenario.from_hours(52, 0.2)
    assert bound.hindsight_cost("1" * 554, sc) == pytest.approx(48.2 * 0.9731)
