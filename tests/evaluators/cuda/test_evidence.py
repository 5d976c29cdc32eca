"""The raw facts the harness measures: poison left, guard bytes changed, rows sampled."""

from __future__ import annotations

import numpy as np

from evaluators.cuda.evidence import POISON_BYTE, guard_changes, poison_count, sample_rows


def test_poison_count_counts_untouched_elements_of_any_float_width() -> None:
    for dtype in (np.float32, np.float16):
        buf = np.full(10 * np.dtype(dtype).itemsize, POISON_BYTE, dtype=np.uint8)
        out = buf.view(dtype).reshape(2, 5).copy()
        assert poison_count(out) == 10
        out[0, :3] = 0.5
        out[1, 0] = np.nan  # a computed NaN is written, not poison
        assert poison_count(out) == 6


def test_guard_changes_counts_bytes_that_lost_the_poison() -> None:
    guards = np.full(4096, POISON_BYTE, dtype=np.uint8)
    assert guard_changes(guards) == 0
    guards[[0, 100, 4095]] = 0
    assert guard_changes(guards) == 3


def test_sampled_rows_are_sorted_unique_and_include_both_ends() -> None:
    for _ in range(50):
        rows = sample_rows(1000, 8)
        assert rows == sorted(set(rows)) and len(rows) == 8
        assert rows[0] == 0 and rows[-1] == 999
    assert sample_rows(5, 8) == [0, 1, 2, 3, 4]


def test_sampled_rows_differ_between_calls() -> None:
    assert len({tuple(sample_rows(100_000, 6)) for _ in range(5)}) > 1
