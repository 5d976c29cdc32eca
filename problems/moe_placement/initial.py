"""Expert-parallelism load balancing (EPLB) for a mixture-of-experts model.

``rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus)`` gets the
recent load of every logical expert of every MoE layer, ``weight[layers, experts]``, and
places ``num_replicas`` physical expert slots per layer: slots are numbered GPU by GPU
(``num_replicas // num_gpus`` per GPU) and GPUs node by node. It returns

    phy2log[layers, num_replicas]   the logical expert held by each physical slot
    log2phy[layers, experts, X]     each expert's slots, then -1 (X >= the largest count)
    logcnt[layers, experts]         how many slots hold each expert

A token routed to an expert goes to one of its replicas, evenly. The placement is scored on
the load of the *next* window, which it has not seen: a GPU's load is the sum over its
slots of load[expert] / logcnt[expert]; balancedness = mean GPU load / max GPU load.
"""

import numpy as np


# EVOLVE-BLOCK-START
def balanced_packing(weight, num_packs):
    """Split each row's items into ``num_packs`` packs of equal size with even weights.

    Heaviest item first, each into the lightest pack that still has room. Returns each
    item's pack and its rank inside the pack. weight: [rows, items].
    """
    rows, items = weight.shape
    per_pack = items // num_packs
    order = np.argsort(-weight, axis=1, kind="stable")
    pack = np.empty((rows, items), dtype=np.int64)
    rank = np.empty((rows, items), dtype=np.int64)
    loads = np.zeros((rows, num_packs))
    counts = np.zeros((rows, num_packs), dtype=np.int64)
    row = np.arange(rows)
    for j in range(items):
        item = order[:, j]
        open_loads = np.where(counts < per_pack, loads, np.inf)
        target = np.argmin(open_loads, axis=1)
        pack[row, item] = target
        rank[row, item] = counts[row, target]
        loads[row, target] += weight[row, item]
        counts[row, target] += 1
    return pack, rank


def replicate_experts(weight, num_slots):
    """Give each row's experts ``num_slots`` slots: one each, then one more at a time to
    the expert with the highest load per replica. Returns slot->expert, the slot's replica
    rank and each expert's replica count. weight: [rows, experts]."""
    rows, experts = weight.shape
    slot2expert = np.empty((rows, num_slots), dtype=np.int64)
    slot2expert[:, :experts] = np.arange(experts)
    replica = np.zeros((rows, num_slots), dtype=np.int64)
    count = np.ones((rows, experts), dtype=np.int64)
    row = np.arange(rows)
    for slot in range(experts, num_slots):
        hottest = np.argmax(weight / count, axis=1)
        slot2expert[:, slot] = hottest
        replica[:, slot] = count[row, hottest]
        count[row, hottest] += 1
    return slot2expert, replica, count


def rebalance_hierarchical(weight, num_replicas, num_groups, num_nodes, num_gpus):
    """DeepSeek's hierarchical policy: expert groups onto nodes, then replicas within each
    node, then the node's replicas onto its GPUs."""
    layers, experts = weight.shape
    group_size = experts // num_groups
    groups_per_node = num_groups // num_nodes
    experts_per_node = experts // num_nodes
    slots_per_node = num_replicas // num_nodes
    gpus_per_node = num_gpus // num_nodes

    # 1. Pack whole expert groups onto nodes, balancing the groups' loads.
    group_load = weight.reshape(layers, num_groups, group_size).sum(axis=2)
    group_node, group_rank = balanced_packing(group_load, num_nodes)
    # Node-major ("meta-logical") numbering: node n holds meta experts n*E/N .. (n+1)*E/N-1.
    group_slot = group_node * groups_per_node + group_rank  # [layers, groups]
    log2meta = (group_slot[:, :, None] * group_size + np.arange(group_size)).reshape(layers, -1)
    meta2log = np.argsort(log2meta, axis=1)

    # 2. Replicate the hottest experts within each node.
    meta_load = np.take_along_axis(weight, meta2log, axis=1).reshape(-1, experts_per_node)
    slot2meta, slot_rank, meta_count = replicate_experts(meta_load, slots_per_node)

    # 3. Pack each node's replicas onto its GPUs, balancing the per-replica loads.
    replica_load = np.take_along_axis(meta_load / meta_count, slot2meta, axis=1)
    gpu, gpu_rank = balanced_packing(replica_load, gpus_per_node)
    per_gpu = slots_per_node // gpus_per_node
    phys = gpu * per_gpu + gpu_rank  # node-local physical position of each replica
    order = np.argsort(phys, axis=1)  # physical position -> replica
    slot2meta = np.take_along_axis(slot2meta, order, axis=1)
    slot_rank = np.take_along_axis(slot_rank, order, axis=1)

    # Back to global numbering.
    node_base = (np.arange(num_nodes) * experts_per_node)[None, :, None]
    slot2meta = (slot2meta.reshape(layers, num_nodes, -1) + node_base).reshape(layers, -1)
    phy2log = np.take_along_axis(meta2log, slot2meta, axis=1)
    replica_rank = slot_rank.reshape(layers, -1)
    logcnt = np.take_along_axis(meta_count.reshape(layers, -1), log2meta, axis=1)
    return phy2log, replica_rank, logcnt


def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):
    """Hierarchical when expert groups divide evenly over nodes, else one global pool."""
    weight = np.asarray(weight, dtype=np.float64)
    if num_groups % num_nodes == 0:
        phy2log, rank, logcnt = rebalance_hierarchical(
            weight, num_replicas, num_groups, num_nodes, num_gpus
        )
    else:
        phy2log, rank, logcnt = rebalance_hierarchical(weight, num_replicas, 1, 1, num_gpus)
    layers, experts = weight.shape
    log2phy = np.full((layers, experts, int(logcnt.max())), -1, dtype=np.int64)
    slots = np.broadcast_to(np.arange(num_replicas), phy2log.shape)
    log2phy[np.arange(layers)[:, None], phy2log, rank] = slots
    return phy2log, log2phy, logcnt
# EVOLVE-BLOCK-END
