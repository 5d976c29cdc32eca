"""Trial inputs follow from the seed alone, identically on every machine."""

from __future__ import annotations

import numpy as np

from evaluators.cuda.inputs import digest, draw_dims, generate, mix64
from tests.support.cuda_trials import contract

LAYERNORM = contract("cuda_layernorm")


def test_inputs_are_pinned_to_their_seed_across_numpy_versions() -> None:
    # A fixed digest: the raw PCG64 stream and IEEE arithmetic must not drift, or the host
    # would reject honest kernels run in a sandbox with another NumPy.
    inputs = generate(LAYERNORM, {"rows": 3, "cols": 5}, 12345)
    assert digest(list(inputs.values())) == (
        "f6fc8f868b404555470a65d8413f829c55e44efbfc10b902d55a108300fa63b1"
    )


def test_inputs_have_the_contract_dtypes_shapes_and_ranges() -> None:
    inputs = generate(LAYERNORM, {"rows": 40, "cols": 300}, 7)
    x, w = inputs["x"], inputs["weight"]
    assert x.dtype == np.float16 and x.shape == (40, 300)
    assert w.shape == (300,) and w.min() >= 0.5 and w.max() <= 1.5
    assert x.min() >= -2.0 and x.max() <= 6.0 and x.std() > 1.0


def test_different_seeds_give_different_inputs() -> None:
    a = generate(LAYERNORM, {"rows": 4, "cols": 8}, 1)["x"]
    b = generate(LAYERNORM, {"rows": 4, "cols": 8}, 2)["x"]
    assert not np.array_equal(a, b)


def test_dims_are_drawn_from_the_choices_and_cover_them() -> None:
    choices = {"rows": [1, 2, 3], "cols": [10, 20]}
    seen = {tuple(sorted(draw_dims(choices, s).items())) for s in range(200)}
    assert len(seen) == 6
    assert draw_dims(choices, 99) == draw_dims(choices, 99)
    assert mix64(1, 2) != mix64(2, 1)


def test_digest_sees_dtype_shape_and_every_byte() -> None:
    a = np.arange(6, dtype=np.float32)
    base = digest([a])
    assert digest([a.reshape(2, 3)]) != base
    assert digest([a.astype(np.float64)]) != base
    b = a.copy()
    b[5] = np.nextafter(b[5], np.float32(10))
    assert digest([b]) != base
