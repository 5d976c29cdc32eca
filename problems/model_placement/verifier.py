"""Trusted verifier for model placement: generates instances and recomputes KVPR.

KVPR(g) = sum(req_rate / slo) / (80 - sum(size)) over the models placed on GPU g; a GPU
whose models fill its memory is an invalid placement. The score is the maximum KVPR over
GPUs (lower is better), averaged over cases.
"""

from __future__ import annotations

import math
import random

from evaluators.verdict import InvalidOutput

GPU_MEMORY_GB = 80.0
CASES_PER_SPLIT = 50
SPLIT_OFFSET = {"search": 0, "heldout": 1_000_000}


def make_instance(rng: random.Random) -> dict:
    gpu_num = rng.randint(5, 9)
    models = [
        {
            "name": f"m{i}",
            "size": round(rng.uniform(10.0, 30.0), 3),
            "req_rate": round(rng.uniform(1.0, 10.0), 3),
            "slo": round(rng.uniform(5.0, 10.0), 3),
        }
        for i in range(2 * gpu_num)
    ]
    return {"gpu_num": gpu_num, "models": models}


def cases(split: str, seed: int) -> list[dict]:
    """50 seeded instances per split; the splits never share a generator seed."""
    out = []
    for i in range(CASES_PER_SPLIT):
        rng = random.Random(f"model_placement:{seed}:{SPLIT_OFFSET[split] + i}")
        out.append({"id": f"{split}-{i:02d}", "input": make_instance(rng)})
    return out


def kvpr(models: list[dict]) -> float:
    free = GPU_MEMORY_GB - math.fsum(m["size"] for m in models)
    if free <= 0:
        raise InvalidOutput(f"GPU memory overflow: {GPU_MEMORY_GB - free:.2f} GB placed")
    return math.fsum(m["req_rate"] / m["slo"] for m in models) / free


def lower_bound(gpu_num: int, models: list[dict]) -> float:
    """No placement beats spreading load and free memory perfectly evenly."""
    rate = math.fsum(m["req_rate"] / m["slo"] for m in models)
    return rate / (GPU_MEMORY_GB * gpu_num - math.fsum(m["size"] for m in models))


def round_robin(gpu_num: int, models: list[dict]) -> float:
    groups = [models[g::gpu_num] for g in range(gpu_num)]
    return max(kvpr(group) for group in groups)


def score(case: dict, output: object) -> dict:
    gpu_num = case["input"]["gpu_num"]
    models = {m["name"]: m for m in case["input"]["models"]}
    if not isinstance(output, list):
        raise InvalidOutput(f"expected a list of {gpu_num} lists, got {type(output).__name__}")
    if len(output) != gpu_num:
        raise InvalidOutput(f"expected {gpu_num} GPUs, got {len(output)}")
    seen: set[str] = set()
    groups = []
    for g, names in enumerate(output):
        if not isinstance(names, list):
            raise InvalidOutput(f"GPU {g}: expected a list of model names")
        group = []
        for name in names:
            if not isinstance(name, str) or name not in models:
                raise InvalidOutput(f"GPU {g}: unknown model {str(name)[:40]!r}")
            if name in seen:
                raise InvalidOutput(f"model {name} placed twice")
            seen.add(name)
            group.append(models[name])
        groups.append(group)
    missing = sorted(set(models) - seen)
    if missing:
        raise InvalidOutput(f"{len(missing)} models not placed (first: {missing[0]})")
    worst = max(kvpr(group) for group in groups)
    bound = lower_bound(gpu_num, case["input"]["models"])
    return {
        "max_kvpr": worst,
        "round_robin_kvpr": round_robin(gpu_num, case["input"]["models"]),
        "lower_bound": bound,
        "gap_to_bound": worst / bound,
    }
