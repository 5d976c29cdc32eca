"""Tolerances per output dtype: rounding passes, real errors and non-finite values fail."""

from __future__ import annotations

import numpy as np
import pytest

from evaluators.cuda.tolerance import TOLERANCES, compare


def test_float32_rounding_passes_and_a_relative_error_of_1e_3_fails() -> None:
    want = np.linspace(1e-4, 1.0, 100).reshape(4, 25)
    assert compare(want.astype(np.float32), want, "float32").ok
    bad = compare((want * (1 + 1e-3)).astype(np.float32), want, "float32")
    assert not bad.ok and bad.mismatches > 0 and bad.worst_ratio > 1


def test_float16_rounding_passes() -> None:
    want = np.random.default_rng(0).uniform(-30, 30, size=(8, 64))
    result = compare(want.astype(np.float16), want, "float16")
    assert result.ok and result.worst_ratio < 0.1


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_fail_where_the_reference_is_finite(bad: float) -> None:
    want = np.ones((2, 3))
    got = want.astype(np.float32)
    got[1, 2] = bad
    result = compare(got, want, "float32")
    assert not result.ok and result.where == (1, 2) and result.mismatches == 1
    assert "worst at [1,2]" in result.describe()


def test_allowed_error_is_absolute_plus_relative() -> None:
    tol = TOLERANCES["float16"]
    want = np.array([[0.0, 100.0]])
    edge = np.array([[tol.atol * 0.99, 100.0 + (tol.atol + tol.rtol * 100) * 0.99]])
    assert compare(edge, want, "float16").ok
    over = np.array([[tol.atol * 1.01, 100.0]])
    assert not compare(over, want, "float16").ok


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="does not match"):
        compare(np.zeros((2, 2)), np.zeros((2, 3)), "float32")
