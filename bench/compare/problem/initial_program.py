"""Place LLMs on 80 GB GPUs so that the worst GPU's KV-cache pressure is as low as possible.

KVPR(g) = sum(rate / slo) / (80 - sum(size)) over the models placed on GPU g.
"""

GPU_MEM = 80.0


# EVOLVE-BLOCK-START
PARAMS = (1.0, 0.0, 1.0)


def place(models, num_gpus):
    """models: (size_gb, req_rate, slo) tuples. Returns the GPU index of each model."""
    size_w, demand_w, free_exp = PARAMS
    order = sorted(
        range(len(models)),
        key=lambda i: -(size_w * models[i][0] + demand_w * models[i][1] / models[i][2]),
    )
    used = [0.0] * num_gpus
    demand = [0.0] * num_gpus
    placement = [0] * len(models)
    for i in order:
        size, rate, slo = models[i]
        best, best_cost = None, None
        for g in range(num_gpus):
            free = GPU_MEM - used[g] - size
            if free <= 0:
                continue
            cost = (demand[g] + rate / slo) / free**free_exp
            if best_cost is None or cost < best_cost:
                best, best_cost = g, cost
        if best is None:
            best = min(range(num_gpus), key=lambda g: used[g])
        placement[i] = best
        used[best] += size
        demand[best] += rate / slo
    return placement


# EVOLVE-BLOCK-END
