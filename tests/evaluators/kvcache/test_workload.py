"""The synthetic traffic generator: deterministic, well-formed, with real prefix reuse."""

import itertools
import random

from evaluators.kvcache import workload
from evaluators.kvcache.trace import canonicalize, ceiling


def test_the_same_seed_gives_the_same_trace_and_another_seed_another() -> None:
    a = workload.generate("s", 200)
    assert a == workload.generate("s", 200)
    assert a != workload.generate("t", 200)


def test_requests_are_in_time_order_with_consistent_block_counts() -> None:
    trace = canonicalize(workload.generate("shape", 400))  # canonicalize checks both
    assert len(trace) == 400 and trace.times == sorted(trace.times)


def test_every_kind_of_traffic_reuses_prefixes_but_not_everything() -> None:
    for name, mix in workload.MIXES.items():
        bound = ceiling(canonicalize(workload.generate(f"mix-{name}", 500, mix)))
        assert 0.4 < bound.token_hit_rate < 0.95, name


def test_chat_and_agent_sessions_resend_a_growing_prefix() -> None:
    rng = random.Random(3)
    content = workload._Content(rng)
    for kind in ("chat", "agent"):
        pairs = 0
        while pairs < 5:
            prompts = [p for p, _, _ in workload.KINDS[kind](content, rng, workload.Mix())]
            for before, after in itertools.pairwise(prompts):
                assert after[: len(before)] == before and len(after) > len(before)
                pairs += 1
