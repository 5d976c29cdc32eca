"""Trusted verifier for kv_cache: builds the traces, replays the candidate's evictions.

The candidate's policy runs inside the sandbox (``driver.py``) and sends back only its
decision log: the victims it named, per cache size. Here, on the host, the same engine
serves the same trace again and takes the victims from that log, checking each one was
legal (cached, not on the current request's path, named once, exactly as many as needed),
then counts the hits itself. The baselines, Belady's offline optimum and the
compulsory-miss ceiling are computed here too, once per case.

Workloads: synthetic by default (seeded, offline); the Mooncake traces when the
``ADRS_DATA_DIR`` environment variable names a data directory holding ``mooncake/`` (a
data directory without that sub-folder leaves the synthetic workload in place, as for
every problem; a ``mooncake/`` without its trace files is an error).
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

from evaluators.data_dir import problem_data
from evaluators.kvcache import mooncake, workload
from evaluators.kvcache.cache import IllegalEviction, PrefixCache
from evaluators.kvcache.policies import BASELINES, Replay, make_baseline
from evaluators.kvcache.trace import Trace, canonicalize, capacities, ceiling, from_input
from evaluators.verdict import InvalidOutput

FRACTIONS = (0.05, 0.10, 0.20)  # cache sizes, as shares of the case's distinct blocks
LABELS = tuple(f"{round(f * 100)}pct" for f in FRACTIONS)
PROBE_SIZE = 1  # the cache size (index into FRACTIONS) of the lookahead probe
SYNTHETIC_REQUESTS = 1500
SYNTHETIC_MIXES = ("balanced", "chat", "agent", "rag", "api", "balanced")
REAL_WINDOW = 2000
# Search and heldout windows come from different time ranges of each trace.
REAL_WINDOWS = {
    "search": (
        ("conversation", 0),
        ("conversation", 2000),
        ("conversation", 4000),
        ("synthetic", 0),
    ),
    "heldout": (
        ("conversation", 6000),
        ("conversation", 8000),
        ("conversation", 10000),
        ("synthetic", 2000),
    ),
}

_lock = threading.Lock()
_traces: dict[str, Trace] = {}
_references: dict[str, dict[str, float]] = {}


def data_dir() -> Path | None:
    """The data directory holding ``mooncake/``, when ``ADRS_DATA_DIR`` names one."""
    folder = problem_data("mooncake")
    return folder.parent if folder is not None else None


def _case(case_id: str, source: str, trace: Trace) -> dict[str, Any]:
    data = trace.to_input()
    data["capacities"] = capacities(trace, FRACTIONS)
    data["probe"] = {"capacity": data["capacities"][PROBE_SIZE], "requests": len(trace) // 2}
    with _lock:
        _traces[source] = trace
    return {"id": case_id, "input": data, "source": source}


def _synthetic(split: str, seed: int) -> list[dict[str, Any]]:
    out = []
    for k, mix in enumerate(SYNTHETIC_MIXES):
        tag = f"{seed}:{split}:{k}"
        raw = workload.generate(tag, SYNTHETIC_REQUESTS, workload.MIXES[mix])
        out.append(_case(f"{split}-{k}-{mix}", f"synthetic:{tag}:{mix}", canonicalize(raw)))
    return out


def _mooncake(split: str, root: Path) -> list[dict[str, Any]]:
    loaded: dict[str, list[dict[str, Any]]] = {}
    out = []
    for name, start in REAL_WINDOWS[split]:
        if name not in loaded:
            loaded[name] = mooncake.load(root, name)
        rows = loaded[name][start : start + REAL_WINDOW]
        if not rows:
            raise ValueError(f"{mooncake.trace_path(root, name)}: no requests from #{start}")
        end = start + len(rows)
        out.append(
            _case(
                f"{split}-{name}-{start}",
                f"mooncake:{root}:{name}:{start}:{end}",
                canonicalize(rows),
            )
        )
    return out


def cases(split: str, seed: int) -> list[dict[str, Any]]:
    """Six synthetic windows per split, or four Mooncake windows when data is given."""
    if split not in REAL_WINDOWS:
        raise ValueError(f"unknown split {split!r}")
    root = data_dir()
    return _synthetic(split, seed) if root is None else _mooncake(split, root)


def _trace(case: dict[str, Any]) -> Trace:
    source = str(case.get("source", case["id"]))
    with _lock:
        trace = _traces.get(source)
    if trace is None:
        trace = from_input(case["input"])
        with _lock:
            _traces[source] = trace
    return trace


def _reference(case: dict[str, Any], trace: Trace) -> dict[str, float]:
    """Baselines, Belady and the ceiling for one case (computed once, then remembered)."""
    source = str(case.get("source", case["id"]))
    with _lock:
        known = _references.get(source)
    if known is not None:
        return known
    out: dict[str, float] = {}
    for name in BASELINES:
        rates = []
        for label, cap in zip(LABELS, case["input"]["capacities"], strict=True):
            cache = PrefixCache(trace, cap)
            cache.run(make_baseline(name, cap, trace))
            rates.append(cache.stats.token_hit_rate)
            out[f"{name}_token_hit_rate_{label}"] = cache.stats.token_hit_rate
        out[f"{name}_token_hit_rate"] = math.fsum(rates) / len(rates)
    bound = ceiling(trace)
    out["ceiling_token_hit_rate"] = bound.token_hit_rate
    out["ceiling_request_hit_share"] = bound.request_hit_share
    with _lock:
        _references[source] = out
    return out


def _ids(log: Any, what: str) -> list[int]:
    if not isinstance(log, list):
        raise InvalidOutput(f"{what} is not a list of block ids")
    for item in log:
        if not isinstance(item, int) or isinstance(item, bool):
            raise InvalidOutput(f"{what}: {str(item)[:40]!r} is not a block id")
    return log


def _logs(output: Any, count: int) -> tuple[list[list[int]], list[int]]:
    if not isinstance(output, dict) or "victims" not in output or "probe" not in output:
        raise InvalidOutput(
            "expected {'victims': [one list of block ids per cache size], 'probe': [...]}"
        )
    logs = output["victims"]
    if not isinstance(logs, list) or len(logs) != count:
        raise InvalidOutput(f"'victims' must hold {count} lists, one per cache size")
    checked = [_ids(log, f"victims for cache size #{k + 1}") for k, log in enumerate(logs)]
    return checked, _ids(output["probe"], "probe victims")


def _replay(trace: Trace, cap: int, label: str, log: list[int], mark_at: int) -> tuple[Any, int]:
    """Serve the trace taking victims from ``log``; returns the stats and how many victims
    were named before request ``mark_at``."""
    cache = PrefixCache(trace, cap, features=False)
    replay = Replay(log)
    mark = 0
    try:
        for index in range(len(trace)):
            if index == mark_at:
                mark = replay.pos
            cache.serve(index, replay)
    except IllegalEviction as exc:
        raise InvalidOutput(f"cache of {cap} blocks ({label}): {exc}") from None
    if replay.pos != len(log):
        raise InvalidOutput(
            f"cache of {cap} blocks ({label}): the decision log names "
            f"{len(log) - replay.pos} victims more than the trace needed"
        )
    return cache.stats, mark


def score(case: dict[str, Any], output: Any) -> dict[str, float]:
    trace = _trace(case)
    caps = case["input"]["capacities"]
    logs, probe = _logs(output, len(caps))
    half = case["input"]["probe"]["requests"]
    metrics: dict[str, float] = {}
    rates, shares = [], []
    for k, (label, cap, log) in enumerate(zip(LABELS, caps, logs, strict=True)):
        stats, mark = _replay(trace, cap, label, log, half)
        if k == PROBE_SIZE and probe != log[:mark]:
            raise InvalidOutput(
                f"cache of {cap} blocks ({label}): the victims named for the first {half} "
                "requests changed when the later requests were left out; a policy must not "
                "look ahead, and must be deterministic (seed any randomness)"
            )
        rates.append(stats.token_hit_rate)
        shares.append(stats.request_hit_share)
        metrics[f"token_hit_rate_{label}"] = stats.token_hit_rate
        metrics[f"request_hit_share_{label}"] = stats.request_hit_share
    metrics["token_hit_rate"] = math.fsum(rates) / len(rates)
    metrics["request_hit_share"] = math.fsum(shares) / len(shares)
    reference = _reference(case, trace)
    metrics.update(reference)
    belady = reference["belady_token_hit_rate"]
    metrics["gap_to_belady"] = belady - metrics["token_hit_rate"]
    metrics["belady_share"] = metrics["token_hit_rate"] / belady if belady > 0 else 1.0
    return metrics
