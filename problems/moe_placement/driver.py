"""Untrusted side of moe_placement: calls the candidate and hands back its input as well.

The host scores the returned placement against loads it kept to itself, and compares the
``weight`` array as it is after the call with its own copy, to reject a program that
mutates its input in place.
"""


def run(candidate, case_input):
    rebalance = getattr(candidate, "rebalance_experts", None)
    if not callable(rebalance):
        raise AttributeError("candidate defines no function 'rebalance_experts'")
    weight = case_input["weight"]
    placement = rebalance(
        weight,
        case_input["num_replicas"],
        case_input["num_groups"],
        case_input["num_nodes"],
        case_input["num_gpus"],
    )
    return {"placement": placement, "weight_after": weight}
