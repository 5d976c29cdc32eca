"""Untrusted side of spot_scheduling: runs the candidate's policy over each job of a case.

The host never trusts what comes back: ``verifier.score`` replays every decision log
against the availability it knows and recomputes the cost.
"""

import random
import sys

from evaluators.spot.market import Scenario, run_policy

RUN_SEED = 0


def run(candidate, case_input):
    """One decision log per job in ``case_input["runs"]`` ([window, deadline_h, overhead_h])."""
    decide = getattr(candidate, "decide", None)
    if not callable(decide):
        raise AttributeError("candidate defines no function 'decide'")
    logs = []
    for window, deadline_h, overhead_h in case_input["runs"]:
        # Every job starts from the same random state, so a policy's decisions can depend
        # only on what it has seen in this job.
        random.seed(RUN_SEED)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed(RUN_SEED)
        scenario = Scenario.from_hours(deadline_h, overhead_h)
        logs.append(run_policy(case_input["spot"][window], scenario, decide))
    return {"logs": logs}
