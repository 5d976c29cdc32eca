"""kv_cache's verifier: its workloads, and the decision logs it accepts and rejects."""

from __future__ import annotations

from types import ModuleType

import pytest

from evaluators.kvcache import mooncake, workload
from evaluators.kvcache.cache import PrefixCache
from evaluators.kvcache.policies import Replay
from evaluators.kvcache.trace import canonicalize, from_input
from evaluators.verdict import InvalidOutput
from tests.problems.helpers import PROBLEMS, data_dir, load_module, seed, verifier
from tests.support.require import require


@pytest.fixture(scope="module")
def v() -> ModuleType:
    return verifier("kv_cache")


@pytest.fixture(scope="module")
def small(v: ModuleType) -> dict:
    """One small case built the verifier's way (a 150-request synthetic window)."""
    return v._case("small", "test:small", canonicalize(workload.generate("small", 150)))


def run_seed(case: dict) -> dict:
    driver = load_module(PROBLEMS / "kv_cache" / "driver.py", "kv_cache_driver_under_test")
    return driver.run(seed("kv_cache"), case["input"])


def test_default_cases_are_synthetic_windows_with_disjoint_splits(
    v: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADRS_DATA_DIR", raising=False)
    search, heldout = v.cases("search", 0), v.cases("heldout", 0)
    assert [c["id"] for c in search][:2] == ["search-0-balanced", "search-1-chat"]
    assert len(search) == len(heldout) == 6
    assert {c["source"] for c in search}.isdisjoint(c["source"] for c in heldout)
    case = search[0]
    trace = from_input(case["input"])
    assert len(trace) == v.SYNTHETIC_REQUESTS
    fractions = [cap / trace.n_blocks for cap in case["input"]["capacities"]]
    assert fractions == pytest.approx([0.05, 0.10, 0.20], abs=1e-3)
    assert case["input"]["probe"] == {"capacity": case["input"]["capacities"][1], "requests": 750}


def test_mooncake_windows_come_from_the_data_directory_and_distinct_time_ranges(
    v: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = data_dir()
    require((root / "mooncake").is_dir(), f"no Mooncake traces under {root}")
    monkeypatch.setenv("ADRS_DATA_DIR", str(root))
    search, heldout = v.cases("search", 0), v.cases("heldout", 0)
    assert [c["id"] for c in search] == [
        "search-conversation-0",
        "search-conversation-2000",
        "search-conversation-4000",
        "search-synthetic-0",
    ]
    assert [c["id"] for c in heldout][-1] == "heldout-synthetic-2000"
    rows = mooncake.load(root, "conversation")
    expected = canonicalize(rows[2000:4000])
    assert from_input(search[1]["input"]).blocks == expected.blocks
    last_search = max(s for n, s in v.REAL_WINDOWS["search"] if n == "conversation")
    first_heldout = min(s for n, s in v.REAL_WINDOWS["heldout"] if n == "conversation")
    assert last_search + v.REAL_WINDOW <= first_heldout


def test_only_a_data_directory_with_mooncake_switches_to_the_real_traces(
    v: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("ADRS_DATA_DIR", str(tmp_path))
    assert v.cases("heldout", 0)[0]["id"] == "heldout-0-balanced"  # no mooncake/: synthetic
    (tmp_path / "mooncake").mkdir()
    with pytest.raises(ValueError, match=r"conversation_trace\.jsonl: Mooncake trace not found"):
        v.cases("heldout", 0)
    monkeypatch.setenv("ADRS_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="nowhere: no such directory"):
        v.cases("heldout", 0)


def test_the_seed_scores_exactly_as_the_lru_baseline(v: ModuleType, small: dict) -> None:
    metrics = v.score(small, run_seed(small))
    assert metrics["token_hit_rate"] == metrics["lru_token_hit_rate"]
    assert metrics["token_hit_rate_10pct"] == metrics["lru_token_hit_rate_10pct"]
    assert metrics["belady_token_hit_rate"] > metrics["token_hit_rate"]
    assert metrics["ceiling_token_hit_rate"] >= metrics["belady_token_hit_rate_20pct"]
    assert metrics["gap_to_belady"] == pytest.approx(
        metrics["belady_token_hit_rate"] - metrics["token_hit_rate"]
    )
    assert 0 < metrics["request_hit_share"] <= 1


def with_log(output: dict, k: int, log: list) -> dict:
    victims = list(output["victims"])
    victims[k] = log
    return {"victims": victims, "probe": output["probe"]}


def test_malformed_outputs_are_rejected_with_the_reason(v: ModuleType, small: dict) -> None:
    good = run_seed(small)
    bad = [
        ([1, 2], "expected {'victims'"),
        ({"victims": good["victims"]}, "expected {'victims'"),
        ({"victims": good["victims"][:2], "probe": []}, "must hold 3 lists"),
        (with_log(good, 0, "12"), "victims for cache size #1 is not a list"),
        (with_log(good, 1, [True]), "True' is not a block id"),
        (with_log(good, 2, [1.5]), "1.5' is not a block id"),
    ]
    for output, reason in bad:
        with pytest.raises(InvalidOutput, match=reason):
            v.score(small, output)


def pin_violation(case: dict, cap: int, log: list[int]) -> list[int]:
    """``log`` with its first victim chosen while the path was cached replaced by a pinned
    block of that path."""

    class Spy(Replay):
        def victims(self, count, cache, request):
            if cache.pinned:
                raise LookupError(self.pos, min(cache.pinned))
            return super().victims(count, cache, request)

    with pytest.raises(LookupError) as caught:
        PrefixCache(from_input(case["input"]), cap).run(Spy(log))
    pos, pinned = caught.value.args
    return [*log[:pos], pinned, *log[pos + 1 :]]


def test_illegal_or_inconsistent_decisions_are_rejected(v: ModuleType, small: dict) -> None:
    good = run_seed(small)
    log = good["victims"][0]
    cap = small["input"]["capacities"][0]
    never_cached = small["input"]["blocks"][-1][-1]
    bad = [
        (with_log(good, 0, log[:-1]), f"cache of {cap} blocks \\(5pct\\): .*log ends after"),
        (with_log(good, 0, [*log, log[-1]]), "names 1 victims more than the trace needed"),
        (with_log(good, 0, [never_cached, *log[1:]]), f"victim block {never_cached} is not cached"),
        (with_log(good, 0, pin_violation(small, cap, log)), "current request's path"),
    ]
    for output, reason in bad:
        with pytest.raises(InvalidOutput, match=reason):
            v.score(small, output)


def test_a_probe_that_disagrees_with_the_full_run_is_lookahead(v: ModuleType, small: dict) -> None:
    good = run_seed(small)
    assert good["probe"] and good["probe"] == good["victims"][1][: len(good["probe"])]
    forged = {"victims": good["victims"], "probe": good["probe"][:-1]}
    with pytest.raises(InvalidOutput, match="must not look ahead"):
        v.score(small, forged)


def test_seed_and_reference_figures_are_stable_on_the_first_search_window(
    v: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADRS_DATA_DIR", raising=False)
    case = v.cases("search", 0)[0]
    m = v.score(case, run_seed(case))
    # The first of the six windows behind the README's synthetic search row.
    assert m["token_hit_rate"] == pytest.approx(0.58368, abs=1e-5)
    assert m["token_hit_rate_10pct"] == pytest.approx(0.62487, abs=1e-5)
    assert m["lfu_token_hit_rate"] == pytest.approx(0.43192, abs=1e-5)
    assert m["belady_token_hit_rate"] == pytest.approx(0.73049, abs=1e-5)
    assert m["ceiling_token_hit_rate"] == pytest.approx(0.81032, abs=1e-5)
    assert m["request_hit_share"] == pytest.approx(0.758, abs=1e-6)
