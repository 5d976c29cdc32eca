"""Runs inside the sandbox: serves each case's trace with the candidate's eviction policy.

For every cache size of the case, a fresh ``Policy(capacity)`` from the candidate is
called back by the prefix-cache engine; what leaves the sandbox is only the decision log
(the victims named, in order), which the host's verifier replays and scores.

A probe run serves only the first half of the trace at one cache size: an online policy
must name the same victims there as in the full run, which the verifier checks (a policy
that reads requests still to come would not).
"""

import random
import sys

from evaluators.kvcache.cache import PrefixCache
from evaluators.kvcache.trace import from_input, head


def _fresh(policy_class, capacity):
    # Every simulation starts from the same random state, so runs are comparable.
    random.seed(0)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(0)
    return policy_class(capacity)


def run(candidate, case_input):
    policy_class = getattr(candidate, "Policy", None)
    if not callable(policy_class):
        raise AttributeError("the program defines no class Policy")
    probe = case_input["probe"]
    short = from_input(head(case_input, probe["requests"]))
    probe_log = PrefixCache(short, probe["capacity"]).run(_fresh(policy_class, probe["capacity"]))
    del short
    trace = from_input(case_input)
    logs = []
    for capacity in case_input["capacities"]:
        cache = PrefixCache(trace, capacity)
        logs.append(cache.run(_fresh(policy_class, capacity)))
    return {"victims": logs, "probe": probe_log}
