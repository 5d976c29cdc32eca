"""Canonical traces: shared prefixes become shared blocks; malformed traces are refused."""

import pytest

from evaluators.kvcache import mooncake
from evaluators.kvcache.trace import TraceError, canonicalize, capacities, ceiling, from_input, head
from tests.problems.helpers import data_dir
from tests.support.require import require


def raw(ms: int, tokens: int, ids: list[int]) -> dict:
    return {"timestamp": ms, "input_length": tokens, "output_length": 1, "hash_ids": ids}


def test_equal_prefixes_share_blocks_and_ids_are_dense_by_first_use() -> None:
    trace = canonicalize([raw(0, 1024, [7, 8]), raw(500, 1500, [7, 8, 9]), raw(900, 600, [7, 5])])
    assert trace.blocks == [[0, 1], [0, 1, 2], [0, 3]]
    assert trace.parent == [-1, 0, 1, 0]
    assert trace.depth == [0, 1, 2, 1]
    assert trace.times == [0.0, 0.5, 0.9]


def test_an_id_under_another_parent_is_another_block() -> None:
    # Mooncake ids are reusable only at the same place of the prefix tree.
    trace = canonicalize([raw(0, 1024, [1, 2]), raw(0, 1024, [3, 2])])
    assert trace.blocks == [[0, 1], [2, 3]]


def test_the_last_block_holds_the_remaining_tokens() -> None:
    trace = canonicalize([raw(0, 1100, [1, 2, 3])])
    assert [trace.request_tokens(0, p) for p in range(3)] == [512, 512, 76]


def test_block_count_must_match_prompt_length() -> None:
    with pytest.raises(TraceError, match=r"request 1: 2000 prompt tokens need 4 blocks"):
        canonicalize([raw(0, 512, [1]), raw(1, 2000, [1, 2])])


def test_decreasing_timestamps_and_missing_fields_are_refused() -> None:
    with pytest.raises(TraceError, match="request 1: timestamps must not decrease"):
        canonicalize([raw(10, 512, [1]), raw(5, 512, [1])])
    with pytest.raises(TraceError, match="request 0: malformed"):
        canonicalize([{"timestamp": 0, "hash_ids": [1]}])


def test_input_form_round_trips_and_head_keeps_ids_valid() -> None:
    trace = canonicalize([raw(0, 1024, [1, 2]), raw(10, 1536, [1, 2, 3]), raw(20, 512, [4])])
    again = from_input(trace.to_input())
    assert again.blocks == trace.blocks and again.parent == trace.parent
    first = from_input(head(trace.to_input(), 2))
    assert first.blocks == trace.blocks[:2] and first.n_blocks == 3


def test_a_forged_input_with_two_parents_for_one_block_is_refused() -> None:
    data = canonicalize([raw(0, 1024, [1, 2]), raw(0, 1024, [3, 4])]).to_input()
    data["blocks"][1] = [2, 1]
    with pytest.raises(TraceError, match="block 1 appears under two parents"):
        from_input(data)


def test_ceiling_counts_every_access_but_first_uses() -> None:
    trace = canonicalize([raw(0, 1024, [1, 2]), raw(1, 1024, [1, 2]), raw(2, 1024, [1, 3])])
    bound = ceiling(trace)
    assert bound.block_hit_rate == pytest.approx(3 / 6)
    assert bound.token_hit_rate == pytest.approx(1536 / 3072)
    assert bound.request_hit_share == pytest.approx(2 / 3)
    assert capacities(trace, [0.5, 0.01]) == [2, 1]


def test_mooncake_ceilings_match_the_published_figures() -> None:
    root = data_dir()
    require((root / "mooncake").is_dir(), f"no Mooncake traces under {root}")
    conversation = ceiling(canonicalize(mooncake.load(root, "conversation")))
    synthetic = ceiling(canonicalize(mooncake.load(root, "synthetic")))
    # The data's README: at most 36.6% and 64.0% of block accesses can ever hit.
    assert conversation.block_hit_rate == pytest.approx(0.366, abs=0.0005)
    assert synthetic.block_hit_rate == pytest.approx(0.640, abs=0.0005)


def test_a_missing_trace_file_names_the_path(tmp_path) -> None:
    with pytest.raises(
        TraceError, match=r"mooncake/conversation_trace.jsonl: Mooncake trace not found"
    ):
        mooncake.load(tmp_path, "conversation")
    (tmp_path / "mooncake").mkdir()
    (tmp_path / "mooncake" / "synthetic_trace.jsonl").write_text('{"hash_ids": [1]}\nnot json\n')
    with pytest.raises(TraceError, match=r"synthetic_trace.jsonl:2: not valid JSON"):
        mooncake.load(tmp_path, "synthetic")
