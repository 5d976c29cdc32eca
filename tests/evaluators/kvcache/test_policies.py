"""Baseline policies and Belady's offline optimum on known and generated traces."""

import pytest

from evaluators.kvcache import workload
from evaluators.kvcache.cache import simulate
from evaluators.kvcache.policies import BASELINES, LRU, Belady, LeafLRU, make_baseline
from evaluators.kvcache.trace import canonicalize, capacities, ceiling


def raw(tokens: int, ids: list[int]) -> dict:
    return {"timestamp": 0, "input_length": tokens, "output_length": 1, "hash_ids": ids}


@pytest.fixture(scope="module")
def chat_trace():
    return canonicalize(workload.generate("policies-test", 600, workload.MIXES["balanced"]))


def test_lru_evicts_the_least_recent_and_a_requests_tail_first() -> None:
    trace = canonicalize([raw(1024, [1, 2]), raw(512, [3]), raw(512, [4]), raw(1024, [1, 2])])
    _, log = simulate(trace, 3, LRU(3))
    # Request 2 needs room: blocks 0,1 (request 0) are the oldest; the tail (1) goes first.
    # Request 3 re-sends the first prompt: block 0 hits and is pinned, so the oldest
    # unpinned block (2) makes room for block 1 again.
    assert log == [1, 2]


def test_belady_evicts_the_block_used_farthest_in_the_future() -> None:
    trace = canonicalize(
        [raw(512, [1]), raw(512, [2]), raw(512, [3]), raw(512, [1]), raw(512, [2])]
    )
    stats, log = simulate(trace, 2, Belady(2, trace))
    # At request 2, block 1 (next used by request 4) goes rather than block 0 (request 3).
    assert log[0] == 1
    assert stats.hit_tokens == 512
    lru, _ = simulate(trace, 2, LRU(2))
    assert lru.hit_tokens == 0


def test_lru_and_leaf_first_lru_agree_because_parents_are_always_more_recent(chat_trace) -> None:
    for cap in capacities(chat_trace, [0.05, 0.2]):
        lru, lru_log = simulate(chat_trace, cap, LRU(cap))
        leaf, leaf_log = simulate(chat_trace, cap, LeafLRU(cap))
        assert lru_log == leaf_log and lru == leaf


def test_belady_beats_every_baseline_and_stays_under_the_ceiling(chat_trace) -> None:
    top = ceiling(chat_trace).token_hit_rate
    for cap in capacities(chat_trace, [0.05, 0.1, 0.2]):
        rates = {
            name: simulate(chat_trace, cap, make_baseline(name, cap, chat_trace))[0].token_hit_rate
            for name in BASELINES
        }
        assert max(rates.values()) == rates["belady"] <= top + 1e-12
        assert rates["belady"] > rates["lru"]


def test_with_room_for_everything_every_policy_reaches_the_ceiling(chat_trace) -> None:
    top = ceiling(chat_trace).token_hit_rate
    for name in BASELINES:
        policy = make_baseline(name, chat_trace.n_blocks, chat_trace)
        stats, log = simulate(chat_trace, chat_trace.n_blocks, policy)
        assert log == [] and stats.token_hit_rate == pytest.approx(top)
