"""kv_cache end to end in the process sandbox: the seed, and candidates that cheat or err."""

from __future__ import annotations

import pytest

from adrs.evaluation.status import Status
from tests.problems.helpers import PROBLEMS, run_in_sandbox


@pytest.fixture(autouse=True)
def synthetic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADRS_DATA_DIR", raising=False)


def program(body: str) -> str:
    return f"# EVOLVE-BLOCK-START\n{body}\n# EVOLVE-BLOCK-END\n"


# Finds the engine behind the view it is handed and runs Belady on the engine's trace:
# an offline policy posing as an online one.
CLAIRVOYANT = """
import gc
from evaluators.kvcache.cache import PrefixCache
from evaluators.kvcache.policies import Belady


def find_engine(view):
    for ref in gc.get_referrers(view):
        if isinstance(ref, PrefixCache):
            return ref
        if isinstance(ref, dict):
            for owner in gc.get_referrers(ref):
                if isinstance(owner, PrefixCache):
                    return owner
    raise LookupError("engine not found")


class Policy:
    def __init__(self, capacity):
        self.capacity = capacity
        self.inner = None

    def on_request(self, request, cache):
        if self.inner is None:
            self.inner = Belady(self.capacity, find_engine(cache).trace)
        self.inner.on_request(request, cache)

    def victims(self, count, cache, request):
        return self.inner.victims(count, cache, request)
"""

PINNED = """
class Policy:
    def __init__(self, capacity):
        pass

    def on_request(self, request, cache):
        pass

    def victims(self, count, cache, request):
        return sorted(cache.pinned)[:count] or list(cache.blocks)[:count]
"""


def test_the_seed_runs_in_the_sandbox_and_scores_as_lru() -> None:
    source = (PROBLEMS / "kv_cache" / "initial.py").read_text()
    result = run_in_sandbox("kv_cache", source)
    assert result.status is Status.OK, result.reason
    assert result.metrics["token_hit_rate"] == result.metrics["lru_token_hit_rate"]
    assert result.metrics["elapsed_s"] > 0
    assert result.backend == "process"


def test_a_policy_that_reads_the_trace_is_caught_looking_ahead() -> None:
    result = run_in_sandbox("kv_cache", program(CLAIRVOYANT))
    assert result.status is Status.INVALID_OUTPUT
    assert "must not look ahead" in result.reason


def test_evicting_a_pinned_block_fails_with_the_engines_reason() -> None:
    result = run_in_sandbox("kv_cache", program(PINNED))
    assert result.status is Status.ERROR
    assert "IllegalEviction" in result.reason and "current request's path" in result.reason


def test_a_program_without_a_policy_class_fails_clearly() -> None:
    result = run_in_sandbox("kv_cache", program("def policy():\n    return None"))
    assert result.status is Status.ERROR
    assert "defines no class Policy" in result.reason
