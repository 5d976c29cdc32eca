"""Choosing models: weighted draws, and a UCB bandit on improvement per dollar."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from adrs.llm.spec import parse_model
from adrs.mutate.ensemble import Ensemble, relative_gain

A, B = parse_model("openai:a"), parse_model("anthropic:b")


def test_a_weighted_draw_follows_the_weights() -> None:
    ensemble = Ensemble([A, B], [3.0, 1.0])
    rng = random.Random(1)
    picks = Counter(ensemble.choose(rng)[0].key for _ in range(4000))
    assert picks["openai:a"] / 4000 == pytest.approx(0.75, abs=0.03)
    _arm, why = ensemble.choose(rng)
    assert why.startswith("weighted draw among 2 models")


def test_a_zero_weight_model_is_never_drawn() -> None:
    ensemble = Ensemble([A, B], [1.0, 0.0])
    rng = random.Random(0)
    assert {ensemble.choose(rng)[0].key for _ in range(50)} == {"openai:a"}


def play(
    ensemble: Ensemble, rounds: int, gain: dict[str, float], cost: dict[str, float]
) -> Counter[str]:
    picks: Counter[str] = Counter()
    rng = random.Random(0)
    for _ in range(rounds):
        arm, _why = ensemble.choose(rng)
        picks[arm.key] += 1
        ensemble.record_call(arm.key, cost[arm.key], failed=False)
        ensemble.observe(arm.key, gain[arm.key])
    return picks


def test_the_bandit_tries_every_model_then_favours_the_one_that_improves() -> None:
    ensemble = Ensemble([A, B], strategy="bandit")
    rng = random.Random(0)
    first = [ensemble.choose(rng) for _ in range(2)]
    assert [why for _arm, why in first] == ["bandit: not tried yet"] * 2
    assert {arm.key for arm, _why in first} == {"openai:a", "anthropic:b"}
    for arm, _why in first:
        ensemble.record_call(arm.key, 0.01, failed=False)
        ensemble.observe(arm.key, 0.2 if arm.key == "openai:a" else 0.0)
    picks = play(
        ensemble,
        200,
        {"openai:a": 0.2, "anthropic:b": 0.0},
        {"openai:a": 0.01, "anthropic:b": 0.01},
    )
    assert picks["openai:a"] > 0.9 * 200
    _arm, why = ensemble.choose(rng)
    assert why.startswith("bandit: highest UCB index")


def test_the_bandit_prefers_the_cheaper_of_two_equally_good_models() -> None:
    ensemble = Ensemble([A, B], strategy="bandit")
    picks = play(
        ensemble,
        300,
        {"openai:a": 0.1, "anthropic:b": 0.1},
        {"openai:a": 0.01, "anthropic:b": 0.10},
    )
    assert picks["openai:a"] > 3 * picks["anthropic:b"]


def test_the_dearer_model_wins_when_it_gains_enough_more() -> None:
    ensemble = Ensemble([A, B], strategy="bandit")
    gains = {"openai:a": 0.01, "anthropic:b": 0.5}
    picks = play(ensemble, 300, gains, {"openai:a": 0.01, "anthropic:b": 0.02})
    assert picks["anthropic:b"] > picks["openai:a"]


def test_a_model_failing_in_a_row_is_benched_and_no_longer_chosen() -> None:
    ensemble = Ensemble([A, B], max_failures=3)
    assert ensemble.record_call("openai:a", 0.0, failed=True) is None
    assert ensemble.record_call("openai:a", 0.0, failed=False) is None  # the streak resets
    for _ in range(2):
        assert ensemble.record_call("openai:a", 0.0, failed=True) is None
    assert ensemble.record_call("openai:a", 0.0, failed=True) == "3 failed calls in a row"
    arm, why = ensemble.choose(random.Random(0))
    assert arm.key == "anthropic:b"
    assert why == "the only model not benched; benched: openai:a"


def test_relative_gain_is_zero_unless_the_child_improved() -> None:
    assert relative_gain(2.0, 3.0, True) == pytest.approx(1 / 3)
    assert relative_gain(4.0, 3.0, True) == pytest.approx(1 / 4)  # minimising
    assert relative_gain(2.0, 3.0, False) == 0.0
    assert relative_gain(2.0, None, False) == 0.0
