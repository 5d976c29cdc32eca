"""Placement checks reject every malformed output class; balancedness is computed exactly."""

from collections.abc import Callable

import numpy as np
import pytest

from evaluators.moe import placement
from evaluators.verdict import InvalidOutput

LAYERS, EXPERTS, SLOTS, GPUS = 2, 4, 6, 3


def valid() -> list[np.ndarray]:
    """Experts 0..3 once each, experts 0 and 1 twice; two slots per GPU."""
    phy2log = np.array([[0, 1, 2, 3, 0, 1], [3, 2, 1, 0, 3, 2]])
    log2phy = np.full((LAYERS, EXPERTS, 2), -1)
    logcnt = np.zeros((LAYERS, EXPERTS), dtype=np.int64)
    for layer in range(LAYERS):
        for slot, expert in enumerate(phy2log[layer]):
            log2phy[layer, expert, logcnt[layer, expert]] = slot
            logcnt[layer, expert] += 1
    return [phy2log, log2phy, logcnt]


def check(output: object) -> placement.Placement:
    return placement.check_placement(output, LAYERS, EXPERTS, SLOTS)


def test_a_consistent_placement_is_accepted() -> None:
    placed = check(valid())
    assert placed.logcnt.tolist() == [[2, 2, 1, 1], [1, 1, 2, 2]]


def mutate(fn: Callable[[list[np.ndarray]], object]) -> object:
    out = valid()
    result = fn(out)
    return out if result is None else result


def _set(arr: np.ndarray, index: tuple[int, ...], value: int) -> None:
    arr[index] = value


CASES: list[tuple[str, Callable[[list[np.ndarray]], object], str]] = [
    ("not a triple", lambda o: o[:2], r"expected \(phy2log, log2phy, logcnt\)"),
    ("list not array", lambda o: [o[0].tolist(), o[1], o[2]], "phy2log must be a NumPy"),
    ("float dtype", lambda o: [o[0].astype(float), o[1], o[2]], "phy2log has dtype float64"),
    ("wrong shape", lambda o: [o[0][:, :5], o[1], o[2]], r"phy2log has shape \(2, 5\)"),
    ("invalid expert", lambda o: _set(o[0], (1, 4), 9), r"phy2log\[1, 4\] = 9 is not an expert"),
    ("negative expert", lambda o: _set(o[0], (0, 0), -1), r"phy2log\[0, 0\] = -1"),
    ("logcnt off", lambda o: _set(o[2], (0, 3), 2), r"logcnt\[0, 3\] = 2 but phy2log gives it 1"),
    ("narrow log2phy", lambda o: [o[0], o[1][:, :, :1], o[2]], r"log2phy has shape \(2, 4, 1\)"),
    ("missing -1", lambda o: _set(o[1], (0, 2, 1), 2), r"log2phy\[0, 2\] must list its 1 slots"),
    ("hole", lambda o: _set(o[1], (0, 0, 0), -1), r"log2phy\[0, 0\] must list its 2 slots"),
    ("other padding", lambda o: _set(o[1], (0, 3, 1), -5), "entry 1 is -5"),
    ("wrong slot", lambda o: _set(o[1], (0, 2, 0), 3), "slot 3, which phy2log gives to expert 3"),
    ("beyond slots", lambda o: _set(o[1], (0, 2, 0), 6), "names slot 6, beyond 5"),
    ("same slot twice", lambda o: _set(o[1], (0, 0, 1), 0), "the same slot twice"),
]


@pytest.mark.parametrize(("name", "fn", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_malformed_placement_is_rejected(
    name: str, fn: Callable[[list[np.ndarray]], object], message: str
) -> None:
    with pytest.raises(InvalidOutput, match=message):
        check(mutate(fn))


def test_an_expert_with_load_but_no_replica_is_rejected() -> None:
    phy2log = np.array([[0, 0, 1, 1, 2, 2]])
    logcnt = np.array([[2, 2, 2, 0]])
    placed = placement.Placement(phy2log, np.zeros((1, 4, 2), dtype=np.int64), logcnt)
    placement.require_replicas(placed, np.array([[5.0, 1.0, 1.0, 0.0]]), "next")
    with pytest.raises(InvalidOutput, match="expert 3 of layer 0 receives 4 tokens in the next"):
        placement.require_replicas(placed, np.array([[5.0, 1.0, 1.0, 4.0]]), "next")


def test_balancedness_splits_an_experts_load_over_its_replicas() -> None:
    phy2log, _, logcnt = valid()
    load = np.array([[4.0, 2.0, 2.0, 2.0], [1.0, 1.0, 1.0, 1.0]])
    # Layer 0: experts 0 and 1 have two replicas: GPU loads (2+1, 2+2, 2+1).
    # Layer 1: experts 2 and 3 have two replicas: GPU loads (0.5+0.5, 1+1, 0.5+0.5).
    per_gpu = placement.gpu_loads(phy2log, logcnt, load, GPUS)
    assert per_gpu.tolist() == [[3.0, 4.0, 3.0], [1.0, 2.0, 1.0]]
    expected = ((10 / 3) / 4 + (4 / 3) / 2) / 2
    assert placement.balancedness(phy2log, logcnt, load, GPUS) == pytest.approx(expected)


def test_a_layer_without_load_counts_as_balanced() -> None:
    phy2log, _, logcnt = valid()
    assert placement.balancedness(phy2log, logcnt, np.zeros((2, 4)), GPUS) == 1.0


def test_static_placement_puts_experts_in_order_without_replicas() -> None:
    phy2log, logcnt = placement.static_placement(2, 8, 4)
    assert phy2log[1].tolist() == list(range(8)) and logcnt.sum() == 16
