"""The prefix-cache engine: what counts as a hit, who may be evicted, what policies see."""

from collections.abc import Sequence

import pytest

from evaluators.kvcache.cache import CacheView, IllegalEviction, PrefixCache, Request
from evaluators.kvcache.policies import Replay
from evaluators.kvcache.trace import canonicalize


def raw(tokens: int, ids: list[int], ms: int = 0) -> dict:
    return {"timestamp": ms, "input_length": tokens, "output_length": 1, "hash_ids": ids}


class Scripted:
    """Names the given victims in turn and records what it was shown."""

    def __init__(self, answers: Sequence[Sequence[int]]) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[int, frozenset[int]]] = []

    def victims(self, count: int, cache: CacheView, request: Request) -> Sequence[int]:
        self.asked.append((count, cache.pinned))
        return self.answers.pop(0)

    def on_request(self, request: Request, cache: CacheView) -> None:
        pass


def test_hits_are_the_cached_run_from_the_prompt_start() -> None:
    trace = canonicalize([raw(1100, [1, 2, 3]), raw(1100, [1, 2, 4]), raw(600, [1, 2])])
    cache = PrefixCache(trace, capacity=10)
    policy = Scripted([])
    for i in range(3):
        cache.serve(i, policy)
    stats = cache.stats
    assert stats.hit_tokens == 1024 + 600  # blocks 1,2 of request 1; request 2: all
    assert stats.tokens == 1100 + 1100 + 600
    assert stats.hit_requests == 2 and stats.block_hits == 4


def test_an_orphan_below_an_evicted_block_is_reused_but_not_a_hit() -> None:
    trace = canonicalize([raw(1536, [1, 2, 3]), raw(512, [9]), raw(1536, [1, 2, 3])])
    cache = PrefixCache(trace, capacity=3)
    policy = Scripted([[1], [3]])  # the middle of the first prompt goes, then block 9
    for i in range(3):
        cache.serve(i, policy)
    # Request 2: block 0 hits, block 1 is missing, block 2 is cached but counts as a miss.
    assert cache.stats.hit_tokens == 512
    assert policy.asked == [(1, frozenset()), (1, frozenset({0, 2}))]


def test_the_current_path_is_pinned_and_the_count_is_what_is_missing() -> None:
    trace = canonicalize([raw(1024, [1, 2]), raw(1024, [3, 4]), raw(1536, [1, 2, 5])])
    cache = PrefixCache(trace, capacity=4)
    policy = Scripted([[2]])
    for i in range(3):
        cache.serve(i, policy)
    count, pinned = policy.asked[0]
    assert count == 1 and pinned == frozenset({0, 1})


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ([0], "block 0 is on the current request's path"),
        ([7], "block 7 is not cached"),
        ([2, 2], "was asked for 1 blocks, returned 2"),
        ([], "was asked for 1 blocks, returned 0"),
        (["2"], "'2' is not a block id"),
        ([True], "True' is not a block id"),
        (3, "must return a list of block ids, got int"),
    ],
)
def test_illegal_victims_are_refused(answer: object, message: str) -> None:
    trace = canonicalize([raw(512, [1]), raw(512, [2]), raw(1024, [1, 3])])
    cache = PrefixCache(trace, capacity=2)
    policy = Scripted([answer])  # type: ignore[list-item]
    cache.serve(0, policy)
    cache.serve(1, policy)
    with pytest.raises(IllegalEviction, match=message):
        cache.serve(2, policy)


def test_naming_a_block_twice_is_refused() -> None:
    trace = canonicalize([raw(512, [1]), raw(512, [2]), raw(1024, [3, 4])])
    cache = PrefixCache(trace, capacity=2)
    policy = Scripted([[0, 0]])
    cache.serve(0, policy)
    cache.serve(1, policy)
    with pytest.raises(IllegalEviction, match="block 0 named twice"):
        cache.serve(2, policy)


def test_a_prompt_longer_than_the_cache_keeps_only_its_head() -> None:
    trace = canonicalize([raw(2048, [1, 2, 3, 4]), raw(2048, [1, 2, 3, 4])])
    cache = PrefixCache(trace, capacity=2)
    log = cache.run(Scripted([]))
    assert log == [] and set(cache.blocks) == {0, 1}
    assert cache.stats.hit_tokens == 1024


def test_policies_see_block_features_but_not_the_trace() -> None:
    trace = canonicalize([raw(1024, [1, 2], 0), raw(1024, [1, 2], 2000), raw(512, [1], 3000)])
    cache = PrefixCache(trace, capacity=4)
    cache.run(Scripted([]))
    root, child = cache.blocks[0], cache.blocks[1]
    assert (root.hits, root.last_access, root.last_index, root.children) == (2, 3.0, 2, 1)
    assert (child.depth, child.parent, child.inserted, child.hits) == (1, 0, 0.0, 1)
    assert not hasattr(cache.view, "trace") and not hasattr(cache.view, "__dict__")


def test_replay_of_a_log_reproduces_the_run_and_detects_a_short_log() -> None:
    trace = canonicalize([raw(512, [k]) for k in range(6)] + [raw(512, [0])])
    cache = PrefixCache(trace, capacity=2)
    log = cache.run(Scripted([[0], [1], [2], [3], [4]]))
    again = PrefixCache(trace, capacity=2, features=False)
    again.run(Replay(log))
    assert again.stats == cache.stats
    with pytest.raises(IllegalEviction, match="the decision log ends after 4 victims"):
        PrefixCache(trace, capacity=2, features=False).run(Replay(log[:4]))
