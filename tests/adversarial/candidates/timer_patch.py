# Freeze every clock the time module offers, then be slow. Expected: ok, and the recorded
# time per case is the real one (the harness bound its clock before the candidate loaded).
import time

_real_sleep = time.sleep
for _name in ("monotonic", "perf_counter", "time", "process_time"):
    setattr(time, _name, lambda: 0.0)
for _name in ("monotonic_ns", "perf_counter_ns", "time_ns"):
    setattr(time, _name, lambda: 0)


def solve(x):
    _real_sleep(0.3)
    return x
