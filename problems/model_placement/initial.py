"""Place models on GPUs so that the most loaded GPU's KV-cache pressure is as low as possible."""

GPU_MEMORY_GB = 80.0


# EVOLVE-BLOCK-START
def place_models(gpu_num, models):
    """Greedy: largest models first, each onto the GPU whose pressure stays lowest.

    models: list of dicts with "name", "size" (GB), "req_rate" and "slo".
    Returns one list of model names per GPU.
    """
    placement = [[] for _ in range(gpu_num)]
    used = [0.0] * gpu_num
    load = [0.0] * gpu_num
    order = sorted(models, key=lambda m: m["size"], reverse=True)
    for m in order:
        best, best_kvpr = None, None
        for g in range(gpu_num):
            free = GPU_MEMORY_GB - used[g] - m["size"]
            if free <= 0:
                continue
            kvpr = (load[g] + m["req_rate"] / m["slo"]) / free
            if best is None or kvpr < best_kvpr:
                best, best_kvpr = g, kvpr
        if best is None:
            raise ValueError(f"model {m['name']} fits on no GPU")
        placement[best].append(m["name"])
        used[best] += m["size"]
        load[best] += m["req_rate"] / m["slo"]
    return placement
# EVOLVE-BLOCK-END
