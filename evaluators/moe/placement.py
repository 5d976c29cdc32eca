"""Checking an expert placement and scoring its GPU balancedness.

A placement for ``layers`` MoE layers of ``experts`` logical experts on ``num_replicas``
physical slots per layer (slot s lives on GPU ``s // (num_replicas // num_gpus)``) is

    phy2log[layers, num_replicas]  logical expert of each slot
    log2phy[layers, experts, X]    each expert's slots first, then -1 (X >= max count)
    logcnt[layers, experts]        number of slots of each expert

A token routed to an expert is served by one of its replicas, evenly; so a GPU's load is
the sum over its slots of ``load[expert] / logcnt[expert]``, and a layer's balancedness is
its mean GPU load over its largest (1.0 is perfect).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evaluators.verdict import InvalidOutput


@dataclass(frozen=True)
class Placement:
    phy2log: np.ndarray
    log2phy: np.ndarray
    logcnt: np.ndarray


def _int_array(value: Any, name: str, shape: tuple[int, ...] | None, ndim: int) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise InvalidOutput(f"{name} must be a NumPy integer array, got {type(value).__name__}")
    if value.dtype.kind not in "iu":
        raise InvalidOutput(f"{name} has dtype {value.dtype}, not an integer type")
    if value.ndim != ndim or (shape is not None and value.shape != shape):
        want = shape if shape is not None else f"{ndim} dimensions"
        raise InvalidOutput(f"{name} has shape {value.shape}, expected {want}")
    return value.astype(np.int64)


def check_placement(output: Any, layers: int, experts: int, num_replicas: int) -> Placement:
    """Validate ``(phy2log, log2phy, logcnt)``; InvalidOutput says what is wrong and where."""
    if not isinstance(output, (list, tuple)) or len(output) != 3:
        raise InvalidOutput("expected (phy2log, log2phy, logcnt)")
    phy2log = _int_array(output[0], "phy2log", (layers, num_replicas), 2)
    logcnt = _int_array(output[2], "logcnt", (layers, experts), 2)
    log2phy = _int_array(output[1], "log2phy", None, 3)
    bad = np.argwhere((phy2log < 0) | (phy2log >= experts))
    if len(bad):
        layer, slot = bad[0]
        raise InvalidOutput(
            f"phy2log[{layer}, {slot}] = {phy2log[layer, slot]} is not an expert (0..{experts - 1})"
        )
    counted = np.zeros((layers, experts), dtype=np.int64)
    np.add.at(counted, (np.arange(layers)[:, None], phy2log), 1)
    bad = np.argwhere(counted != logcnt)
    if len(bad):
        layer, expert = bad[0]
        raise InvalidOutput(
            f"logcnt[{layer}, {expert}] = {logcnt[layer, expert]} but phy2log gives it "
            f"{counted[layer, expert]} slots"
        )
    if log2phy.shape[:2] != (layers, experts) or log2phy.shape[2] < max(1, int(logcnt.max())):
        raise InvalidOutput(
            f"log2phy has shape {log2phy.shape}, expected ({layers}, {experts}, X) "
            f"with X >= {int(logcnt.max())}"
        )
    width = log2phy.shape[2]
    expected_valid = np.arange(width)[None, None, :] < logcnt[:, :, None]
    invalid = ((log2phy >= 0) != expected_valid) | ((log2phy < 0) & (log2phy != -1))
    mismatch = np.argwhere(invalid)
    if len(mismatch):
        layer, expert, j = mismatch[0]
        raise InvalidOutput(
            f"log2phy[{layer}, {expert}] must list its {logcnt[layer, expert]} slots and then "
            f"-1, but entry {j} is {log2phy[layer, expert, j]}"
        )
    layer_idx, expert_idx, _ = np.nonzero(expected_valid)
    slots = log2phy[expected_valid]
    out_of_range = slots >= num_replicas
    if out_of_range.any():
        k = int(np.argmax(out_of_range))
        raise InvalidOutput(
            f"log2phy[{layer_idx[k]}, {expert_idx[k]}] names slot {slots[k]}, "
            f"beyond {num_replicas - 1}"
        )
    wrong = phy2log[layer_idx, slots] != expert_idx
    if wrong.any():
        k = int(np.argmax(wrong))
        raise InvalidOutput(
            f"log2phy[{layer_idx[k]}, {expert_idx[k]}] names slot {slots[k]}, which phy2log "
            f"gives to expert {phy2log[layer_idx[k], slots[k]]}"
        )
    # Every entry points back at its own expert and the counts match phy2log, so the
    # entries are each layer's slots exactly once unless a slot is listed twice.
    flat = layer_idx * num_replicas + slots
    if len(np.unique(flat)) != len(flat):
        raise InvalidOutput("log2phy lists the same slot twice for one expert")
    return Placement(phy2log, log2phy, logcnt)


def require_replicas(placement: Placement, load: np.ndarray, which: str) -> None:
    """Every expert that receives load must have a replica to serve it."""
    orphan = np.argwhere((load > 0) & (placement.logcnt == 0))
    if len(orphan):
        layer, expert = orphan[0]
        raise InvalidOutput(
            f"expert {expert} of layer {layer} receives {load[layer, expert]:g} tokens in "
            f"the {which} window but has no replica"
        )


def gpu_loads(phy2log: np.ndarray, logcnt: np.ndarray, load: np.ndarray, gpus: int) -> np.ndarray:
    """Per-layer GPU loads, [layers, gpus], with each expert's load split over its replicas."""
    share = load / np.maximum(logcnt, 1)
    slot_load = np.take_along_axis(share, phy2log, axis=1)
    layers, slots = phy2log.shape
    return slot_load.reshape(layers, gpus, slots // gpus).sum(axis=2)


def balancedness(phy2log: np.ndarray, logcnt: np.ndarray, load: np.ndarray, gpus: int) -> float:
    """Mean over layers of (mean GPU load / max GPU load); a layer without load counts 1."""
    per_gpu = gpu_loads(phy2log, logcnt, load, gpus)
    peak = per_gpu.max(axis=1)
    ratio = np.where(peak > 0, per_gpu.mean(axis=1) / np.where(peak > 0, peak, 1.0), 1.0)
    return float(ratio.mean())


def static_placement(layers: int, experts: int, gpus: int) -> tuple[np.ndarray, np.ndarray]:
    """No balancing and no redundancy: expert e on GPU e // (experts / gpus)."""
    phy2log = np.broadcast_to(np.arange(experts), (layers, experts)).copy()
    return phy2log, np.ones((layers, experts), dtype=np.int64)
