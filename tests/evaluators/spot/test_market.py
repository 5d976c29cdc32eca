"""The spot simulator: prices, restart overheads, preemption, the safety rule, and replay."""

import random

import pytest

from evaluators.spot import market
from evaluators.spot.market import Scenario, TickState

HOURS = 3600
ALWAYS = "1" * 600
NEVER = "0" * 600


def always(choice: str):
    return lambda state: choice


def random_policy(seed: str):
    """A policy choosing uniformly among the three answers (to fuzz the rules)."""
    chooser = random.Random(seed)
    return lambda state: chooser.choice(list(market.CODES))


def run(spot: str, sc: Scenario, decide) -> market.Outcome:
    return market.replay(spot, sc, market.run_policy(spot, sc, decide))


@pytest.mark.parametrize("sc", market.study_scenarios(), ids=lambda sc: sc.label)
def test_all_on_demand_costs_the_job_plus_one_restart(sc: Scenario) -> None:
    outcome = run(ALWAYS, sc, always(market.ON_DEMAND))
    expected = (48 + sc.overhead_s / HOURS) * 3.06
    assert outcome.cost == pytest.approx(expected) == market.on_demand_cost(sc)
    assert outcome.launches == 1 and outcome.finish_s == sc.job_s + sc.overhead_s


def test_all_spot_on_an_always_available_window_costs_the_spot_price() -> None:
    sc = Scenario.from_hours(70, 0.2)
    outcome = run(ALWAYS, sc, always(market.SPOT))
    assert outcome.cost == pytest.approx(48.2 * 0.9731)
    assert outcome.on_demand_s == 0


def test_a_preemption_costs_a_restart_on_the_next_launch() -> None:
    sc = Scenario.from_hours(92, 0.2)
    spot = "1" * 10 + "0" + "1" * 589
    outcome = run(spot, sc, always(market.SPOT))
    assert outcome.launches == 2
    # Each launch pays 0.2 h; the idle tick adds no cost.
    assert outcome.spot_s == sc.job_s + 2 * sc.overhead_s
    assert outcome.finish_s == sc.job_s + 2 * sc.overhead_s + sc.gap_s


def test_a_restart_longer_than_a_tick_carries_over() -> None:
    sc = Scenario(deadline_s=10 * 600, overhead_s=1440, job_s=600)
    log = market.run_policy(ALWAYS, sc, always(market.ON_DEMAND))
    assert log == "DDDD"  # 1440 s of restart, then 600 s of work
    assert market.replay(ALWAYS, sc, log).finish_s == 2040


def test_spot_requested_while_unavailable_gets_nothing() -> None:
    sc = Scenario.from_hours(92, 0.02)
    log = market.run_policy("0" * 3 + ALWAYS, sc, always(market.SPOT))
    assert log.startswith("NNNS")


def test_safety_rule_takes_over_and_every_deadline_holds() -> None:
    rng = random.Random(7)
    for sc in market.study_scenarios():
        for _ in range(5):
            spot = "".join(rng.choice("0001") for _ in range(560))
            for decide in (always(market.NONE), always(market.SPOT), market.greedy):
                outcome = run(spot, sc, decide)
                assert outcome.finish_s <= sc.deadline_s
        waiting = run(NEVER, sc, always(market.NONE))
        assert waiting.forced_from is not None and waiting.on_demand_s > 0


@pytest.mark.parametrize("sc", market.study_scenarios(), ids=lambda sc: sc.label)
def test_safety_rule_fires_at_the_first_tick_one_more_wait_could_not_afford(
    sc: Scenario,
) -> None:
    """Forced from the first tick t with deadline - (t + 1) ticks <= work left + overhead."""
    # Waiting from the start: nothing is done, so the rule's first tick is known in closed form.
    first = next(
        t for t in range(600) if sc.deadline_s - (t + 1) * sc.gap_s <= sc.job_s + sc.overhead_s
    )
    waiting = run(NEVER, sc, always(market.NONE))
    assert waiting.forced_from == first
    assert not sc.forced(first - 1, 0) and sc.forced(first, 0)
    # Taken over at that tick, the job meets its deadline. The literal rule (remaining time
    # <= work left + overhead) does not hold yet; checked a tick later, the time left may
    # already be short of the work plus a restart, so the simulator checks a tick ahead.
    assert waiting.finish_s <= sc.deadline_s
    assert sc.deadline_s - first * sc.gap_s > sc.job_s + sc.overhead_s
    # Equality counts as forced: at a deadline exactly one tick beyond work plus overhead.
    edge = Scenario(deadline_s=sc.job_s + sc.overhead_s + sc.gap_s, overhead_s=sc.overhead_s)
    assert edge.forced(0, 0) and run(NEVER, edge, always(market.NONE)).forced_from == 0


def test_policy_sees_the_state_of_the_job() -> None:
    seen: list[tuple[float, float, str, bool, bool]] = []

    def spy(state: TickState) -> str:
        seen.append(
            (state.elapsed_h, state.done_h, state.instance, state.spot_available, state.preempted)
        )
        state.memory["ticks"] = state.memory.get("ticks", 0) + 1
        return market.SPOT

    market.run_policy("110" + ALWAYS, Scenario.from_hours(92, 0.02), spy)
    assert seen[0] == (0.0, 0.0, "NONE", True, False)
    assert seen[1][2] == "SPOT" and seen[1][1] == pytest.approx((600 - 72) / HOURS)
    assert seen[2][2:] == ("NONE", False, True)


def test_policy_answers_other_than_the_three_names_are_errors() -> None:
    with pytest.raises(ValueError, match="tick 0: policy returned 'spot'"):
        market.run_policy(ALWAYS, Scenario.from_hours(52, 0.2), always("spot"))


@pytest.mark.parametrize(
    ("log", "message"),
    [
        ("S" * 100, "log ends after 100 ticks"),
        ("X" + "S" * 300, "tick 0: unknown decision"),
        ("N" * 281 + "S" * 300, "safety rule requires ON_DEMAND"),
        (None, "decision log is NoneType"),
    ],
)
def test_replay_rejects_logs_the_simulator_cannot_produce(log: object, message: str) -> None:
    with pytest.raises(market.InvalidDecision, match=message):
        market.replay(ALWAYS, Scenario.from_hours(52, 0.02), log)


def test_replay_rejects_spot_while_unavailable_and_padding_after_the_end() -> None:
    sc = Scenario.from_hours(92, 0.02)
    with pytest.raises(market.InvalidDecision, match="tick 1: SPOT while spot is unavailable"):
        market.replay("10" + ALWAYS, sc, "SS" + "S" * 300)
    good = market.run_policy(ALWAYS, sc, always(market.SPOT))
    with pytest.raises(market.InvalidDecision, match="goes on after the job finished"):
        market.replay(ALWAYS, sc, good + "N")


def test_every_log_a_policy_produces_replays_cleanly() -> None:
    rng = random.Random(3)
    for sc in market.study_scenarios():
        spot = "".join(rng.choice("01") for _ in range(560))
        log = market.run_policy(spot, sc, random_policy(sc.label))
        outcome = market.replay(spot, sc, log)
        assert outcome.finish_s <= sc.deadline_s
        assert outcome.cost == pytest.approx(market.dollars(outcome.spot_s, outcome.on_demand_s))


def test_replay_agrees_with_stepping_the_job_through_the_log() -> None:
    rng = random.Random(11)
    for sc in market.study_scenarios():
        spot = "".join(rng.choice("011") for _ in range(560))
        log = market.run_policy(spot, sc, random_policy(sc.label + "x"))
        job = market.Job(sc)
        for t, code in enumerate(log):
            job.observe(spot[t] == "1")
            job.step(code)
        outcome = market.replay(spot, sc, log)
        assert (outcome.finish_s, outcome.spot_s, outcome.on_demand_s, outcome.launches) == (
            job.finish_s,
            job.spot_s,
            job.on_demand_s,
            job.launches,
        )
