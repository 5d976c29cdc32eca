"""Trusted verifier for MoE expert placement (DeepSeek EPLB): checks and scores placements.

Each case gives the program one window of expert loads and scores its placement on the
next window, which stays on the host: the program must predict. The published evaluators
check little of the output; this one rejects wrong shapes or dtypes, slots holding no
valid expert, a ``logcnt`` that disagrees with ``phy2log``, a ``log2phy`` that is not
exactly each expert's slots followed by -1, an expert that receives load but has no
replica, and a program that mutates its input array.

Metrics per case: ``balancedness`` (next window: mean GPU load / max GPU load, averaged
over layers; 1.0 is perfect and is the bound), ``balancedness_seen`` (the window the
program saw), ``static_balancedness`` (no balancing, no redundancy) and the program's
time. Combined: ``runtime_s`` is the median of the per-case times (measured around the
call alone, in the sandbox) and the objective is

    score = balancedness * min(1, RUNTIME_BUDGET_S / runtime_s)

so balance is what counts, and a program slower than the budget loses in proportion. For
scale, the seed program is timed on the same cases on the host (best of three calls, once
per process): ``seed_runtime_s`` and ``runtime_vs_seed``.

Workloads: seeded synthetic histories by default. With ``ADRS_DATA_DIR`` holding
``moe/load_history.json`` (see ``evaluators/moe/loads.py`` for the format), consecutive
windows of that trace: the first two thirds for ``search``, the rest for ``heldout``.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import ModuleType

import numpy as np

from evaluators.data_dir import problem_data
from evaluators.moe import loads, placement
from evaluators.verdict import InvalidOutput

RUNTIME_BUDGET_S = 0.1
SEED_REPEATS = 3
WINDOWS_PER_HISTORY = 3
SYNTHETIC_HISTORIES = {"search": 4, "heldout": 6}
SPLIT_SEED = {"search": 0, "heldout": 1}


def _case(case_id: str, seen: np.ndarray, upcoming: np.ndarray, topology: dict) -> dict:
    return {"id": case_id, "input": {"weight": seen, **topology}, "next_load": upcoming}


def _synthetic(split: str, seed: int) -> list[dict]:
    out = []
    for h in range(SYNTHETIC_HISTORIES[split]):
        rng = np.random.default_rng([seed, SPLIT_SEED[split], h])
        history = loads.synthetic_history(rng, WINDOWS_PER_HISTORY)
        for w in range(WINDOWS_PER_HISTORY - 1):
            case_id = f"syn-{split}-h{h}-w{w}"
            out.append(_case(case_id, history[w], history[w + 1], dict(loads.TOPOLOGY)))
    return out


def _real(split: str) -> list[dict] | None:
    folder = problem_data("moe")
    if folder is None or not (folder / "load_history.json").is_file():
        return None
    history, topology = loads.load_history(folder / "load_history.json")
    windows = len(history)
    if windows < 5:
        raise ValueError(f"{folder / 'load_history.json'}: needs at least 5 windows")
    # Search pairs (w, w+1) for w < cut - 1; heldout pairs start after window cut.
    cut = (2 * windows) // 3
    first, last = (0, cut - 1) if split == "search" else (cut, windows - 1)
    return [
        _case(f"real-w{w:04d}", history[w], history[w + 1], topology) for w in range(first, last)
    ]


def cases(split: str, seed: int) -> list[dict]:
    """Windows of a recorded history when a data directory has one, else synthetic ones."""
    real = _real(split)
    return real if real is not None else _synthetic(split, seed)


_seed: list[ModuleType] = []
_seed_times: dict[str, float] = {}


def _seed_elapsed(case: dict) -> float:
    """The seed program's time on this case, on this host (trusted code; cached)."""
    if case["id"] not in _seed_times:
        if not _seed:
            path = Path(__file__).with_name("initial.py")
            spec = importlib.util.spec_from_file_location("moe_placement_seed", path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            _seed.append(module)
        inp = case["input"]
        args = (inp["num_replicas"], inp["num_groups"], inp["num_nodes"], inp["num_gpus"])
        best = float("inf")
        for _ in range(SEED_REPEATS):
            weight = inp["weight"].copy()
            start = time.perf_counter()
            _seed[0].rebalance_experts(weight, *args)
            best = min(best, time.perf_counter() - start)
        _seed_times[case["id"]] = best
    return _seed_times[case["id"]]


def score(case: dict, output: object) -> dict:
    seen, upcoming = case["input"]["weight"], case["next_load"]
    gpus, replicas = case["input"]["num_gpus"], case["input"]["num_replicas"]
    if not isinstance(output, dict) or "placement" not in output:
        raise InvalidOutput("expected the driver's {'placement': ..., 'weight_after': ...}")
    after = output.get("weight_after")
    if not (
        isinstance(after, np.ndarray)
        and after.dtype == seen.dtype
        and after.shape == seen.shape
        and np.array_equal(after, seen)
    ):
        raise InvalidOutput("rebalance_experts changed its input array 'weight' in place")
    layers, experts = seen.shape
    placed = placement.check_placement(output["placement"], layers, experts, replicas)
    placement.require_replicas(placed, seen, "current")
    placement.require_replicas(placed, upcoming, "next")
    static = placement.static_placement(layers, experts, gpus)
    return {
        "balancedness": placement.balancedness(placed.phy2log, placed.logcnt, upcoming, gpus),
        "balancedness_seen": placement.balancedness(placed.phy2log, placed.logcnt, seen, gpus),
        "static_balancedness": placement.balancedness(*static, upcoming, gpus),
        "max_replicas": float(placed.logcnt.max()),
        "seed_elapsed_s": _seed_elapsed(case),
    }


def combine(per_case: list[dict]) -> dict:
    """Means of the balance metrics; median runtime; the score (see the module docstring)."""
    timing = {"elapsed_s", "seed_elapsed_s"}
    keys = set(per_case[0]).intersection(*per_case[1:]) - timing
    out = {k: float(np.mean([m[k] for m in per_case])) for k in sorted(keys)}
    runtime = float(np.median([m["elapsed_s"] for m in per_case]))
    out["runtime_s"] = runtime
    if all("seed_elapsed_s" in m for m in per_case):
        out["seed_runtime_s"] = float(np.median([m["seed_elapsed_s"] for m in per_case]))
        out["runtime_vs_seed"] = runtime / max(out["seed_runtime_s"], 1e-9)
    out["score"] = out["balancedness"] * min(1.0, RUNTIME_BUDGET_S / max(runtime, 1e-9))
    return out
