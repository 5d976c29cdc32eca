"""Expert load histories: a seeded generator, and the ``load_history`` JSON format.

A history is ``[windows, layers, experts]`` token counts: how many tokens each layer
routed to each logical expert in consecutive time windows. A placement is computed from
window i and scored on window i+1.

The generator models what the EPLB write-ups describe: per layer, a skewed (Zipf-like)
popularity over a random ranking of the experts; slow drift between windows (a
mean-reverting random walk of each expert's log-popularity); and bursts, where one expert
group turns hot for a single window (a shift in the traffic's domain). Token counts are
Poisson around the popularity times tokens x top-k.

``load_history`` JSON (for a trace recorded from a serving system), either windows::

    {"windows": [[[count, ...experts], ...layers], ...windows],
     "num_replicas": 288, "num_groups": 8, "num_nodes": 4, "num_gpus": 32}

or the per-step records of the ADRS EPLB example's ``expert-load.json``, summed into
windows of ``records_per_window`` records (100 there)::

    {"load_history": [{"logical_expert_load": [[count, ...experts], ...layers]}, ...]}

The topology keys are optional (DeepSeek-V3's serving shape by default).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

RECORDS_PER_WINDOW = 100
TOPOLOGY = {"num_replicas": 288, "num_groups": 8, "num_nodes": 4, "num_gpus": 32}
LAYERS, EXPERTS = 58, 256


@dataclass(frozen=True)
class LoadModel:
    """Parameters of the synthetic load generator."""

    tokens: int = 16384  # tokens per window
    top_k: int = 8  # experts per token
    zipf: tuple[float, float] = (0.3, 0.8)  # range of the per-layer Zipf exponent
    drift: float = 0.2  # std of each window's change in log-popularity
    reversion: float = 0.2  # pull back towards the layer's own popularity per window
    burst_chance: float = 0.1  # chance that a layer has a hot group in a window
    burst_gain: tuple[float, float] = (2.0, 4.0)


def synthetic_history(
    rng: np.random.Generator,
    windows: int,
    layers: int = LAYERS,
    experts: int = EXPERTS,
    groups: int = TOPOLOGY["num_groups"],
    model: LoadModel | None = None,
) -> np.ndarray:
    """A ``[windows, layers, experts]`` history of token counts (float64)."""
    m = model or LoadModel()
    exponent = rng.uniform(*m.zipf, size=(layers, 1))
    ranks = np.argsort(rng.random((layers, experts)), axis=1) + 1
    base = -exponent * np.log(ranks)
    offset = np.zeros((layers, experts))
    group_size = experts // groups
    out = np.empty((windows, layers, experts))
    for w in range(windows):
        offset = (1 - m.reversion) * offset + rng.normal(0.0, m.drift, (layers, experts))
        logp = base + offset
        burst = np.nonzero(rng.random(layers) < m.burst_chance)[0]
        for layer in burst:
            g = rng.integers(groups)
            logp[layer, g * group_size : (g + 1) * group_size] += math.log(
                rng.uniform(*m.burst_gain)
            )
        p = np.exp(logp - logp.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        # An expert serves a token at most once: cap the expected share at 1/top_k.
        expected = np.minimum(p * m.tokens * m.top_k, m.tokens)
        out[w] = rng.poisson(expected).astype(np.float64)
    return out


def _windows(raw: dict[str, Any], path: Path) -> np.ndarray:
    """The ``[windows, layers, experts]`` array of either accepted layout."""
    try:
        if "windows" in raw:
            return np.asarray(raw["windows"], dtype=np.float64)
        records = np.asarray(
            [r["logical_expert_load"] for r in raw["load_history"]], dtype=np.float64
        )
    except (ValueError, TypeError, KeyError):
        raise ValueError(
            f"{path}: loads must be windows (or records) x layers x experts numbers"
        ) from None
    size = raw.get("records_per_window", RECORDS_PER_WINDOW)
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise ValueError(f"{path}: 'records_per_window' must be a positive integer")
    if records.ndim != 3:
        raise ValueError(f"{path}: records have shape {records.shape[1:]}, expected 2 dimensions")
    return np.stack([records[i : i + size].sum(axis=0) for i in range(0, len(records), size)])


def load_history(path: Path) -> tuple[np.ndarray, dict[str, int]]:
    """Read a ``load_history`` JSON file: the history and the serving topology."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read a load history ({exc})") from None
    if not isinstance(raw, dict) or not ({"windows", "load_history"} & set(raw)):
        raise ValueError(f"{path}: expected an object with 'windows' or 'load_history'")
    history = _windows(raw, path)
    if history.ndim != 3 or min(history.shape) < 1:
        raise ValueError(f"{path}: windows have shape {history.shape}, expected 3 dimensions")
    if not np.isfinite(history).all() or (history < 0).any():
        raise ValueError(f"{path}: loads must be finite and non-negative")
    topology = dict(TOPOLOGY)
    for key in TOPOLOGY:
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{path}: '{key}' must be a positive integer")
            topology[key] = value
    check_topology(history.shape[2], topology, str(path))
    return history, topology


def check_topology(experts: int, topology: dict[str, int], where: str) -> None:
    """The divisibility the placement format needs; ValueError naming ``where``."""
    replicas, gpus = topology["num_replicas"], topology["num_gpus"]
    groups, nodes = topology["num_groups"], topology["num_nodes"]
    if replicas < experts:
        raise ValueError(f"{where}: num_replicas {replicas} < {experts} experts")
    if replicas % gpus or gpus % nodes or experts % groups:
        raise ValueError(
            f"{where}: need num_replicas % num_gpus == 0, num_gpus % num_nodes == 0 and "
            f"experts % num_groups == 0"
        )
