"""A spot-instance policy: finish a 48 h job before its deadline at the least cost.

``decide(state)`` is called once per 10-minute tick and returns "SPOT", "ON_DEMAND" or
"NONE". ``state`` has (hours as floats): ``elapsed_h``, ``done_h``, ``left_h``,
``deadline_h``, ``overhead_h`` (restart overhead), ``overhead_left_h``, ``tick_h`` (1/6),
``tick`` (int), ``instance`` (the current one: "SPOT", "ON_DEMAND" or "NONE"),
``spot_available``, ``preempted`` (the spot instance was just lost) and ``memory`` (a dict
that is yours for the whole job). The simulator switches to on-demand by itself when the
deadline gets close, so deadlines always hold; the question is how cheaply.
"""

SPOT, ON_DEMAND, NONE = "SPOT", "ON_DEMAND", "NONE"


# EVOLVE-BLOCK-START
def decide(state):
    """Uniform Progress (Can't Be Late, NSDI'24).

    Keep progress on or above the straight line from (0, 0) to (deadline, job). Spot is
    used whenever it is available; without spot, run on demand while behind the line and
    wait while ahead. Once on demand, stay there (hysteresis) until ahead of where the
    line will be two restart overheads from now, so that short spot gaps do not cause a
    restart each.
    """
    if state.spot_available:
        return SPOT
    job = state.done_h + state.left_h
    rate = job / state.deadline_h
    behind = state.done_h < rate * state.elapsed_h
    if behind:
        return ON_DEMAND
    if state.instance == ON_DEMAND:
        margin = rate * (state.elapsed_h + 2 * state.overhead_h)
        if state.done_h < margin:
            return ON_DEMAND
    return NONE
# EVOLVE-BLOCK-END
