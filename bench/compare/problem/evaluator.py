"""The benchmark problem's evaluator, in the OpenEvolve format shared by both systems.

``evaluate(program_path)`` imports the candidate, places the models of a fixed set of seeded
instances, checks every placement and returns ``combined_score``: the mean over instances of
lower bound / worst KVPR (1.0 would reach the bound; an invalid placement scores 0). It also
returns when it started and ended (``t_start``, ``t_end``, wall-clock seconds), so that the
benchmark can tell which evaluations overlapped a model call; where ``BENCH_EVAL_LOG`` names
a file, it also appends a line there when it starts and when it ends (OpenEvolve drops some
programs from its database, so their metrics alone would undercount its evaluations; in
our sandbox the variable is not set and nothing outside could be written anyway).
"""

import importlib.util
import json
import os
import random
import time

GPU_MEM = 80.0
INSTANCES = 6000  # sets the evaluation's cost: about half a second on one core


def _instances():
    rng = random.Random(20241)
    out = []
    for _ in range(INSTANCES):
        gpus = rng.randint(5, 9)
        models = [
            (rng.uniform(10, 30), rng.uniform(1, 10), rng.uniform(5, 10)) for _ in range(2 * gpus)
        ]
        out.append((gpus, models))
    return out


def _worst_kvpr(models, gpus, placement):
    """The worst GPU's KVPR, or None when the placement is not a valid one."""
    if not isinstance(placement, (list, tuple)) or len(placement) != len(models):
        return None
    used = [0.0] * gpus
    demand = [0.0] * gpus
    for (size, rate, slo), g in zip(models, placement, strict=True):
        if not isinstance(g, int) or isinstance(g, bool) or not 0 <= g < gpus:
            return None
        used[g] += size
        demand[g] += rate / slo
    if any(u >= GPU_MEM for u in used):
        return None
    return max(d / (GPU_MEM - u) for d, u in zip(demand, used, strict=True))


def _log(event, **fields):
    path = os.environ.get("BENCH_EVAL_LOG")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps({"event": event, "pid": os.getpid(), **fields}) + "\n")


def evaluate(program_path):
    started = time.time()
    _log("start", t=started, program=program_path)
    spec = importlib.util.spec_from_file_location("candidate", program_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ratios = []
    invalid = 0
    for gpus, models in _instances():
        worst = _worst_kvpr(models, gpus, module.place(models, gpus))
        if worst is None:
            invalid += 1
            ratios.append(0.0)
            continue
        bound = sum(r / s for _, r, s in models) / (GPU_MEM * gpus - sum(m[0] for m in models))
        ratios.append(bound / worst)
    ended = time.time()
    _log("end", t=ended, t_start=started, program=program_path)
    return {
        "combined_score": sum(ratios) / len(ratios),
        "invalid_instances": float(invalid),
        "t_start": started,
        "t_end": ended,
    }
