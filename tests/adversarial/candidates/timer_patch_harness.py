# Reach into the harness, every part of it this process can see, and slow down the clock
# it measures with a hundredfold (a frozen clock is easy to spot; a slow one is not), then
# be slow. Expected: ok, and the recorded time per case is the real one: the clock that
# measures runs in the harness's timekeeper, another process.
import sys
import time

_real = time.monotonic
_start = _real()


def _slow() -> float:
    return _start + (_real() - _start) / 100


for _module in list(sys.modules.values()):
    for _name in ("_monotonic", "monotonic", "perf_counter"):
        if getattr(_module, _name, None) is not None and _module is not time:
            try:
                setattr(_module, _name, _slow)
            except (AttributeError, TypeError):
                pass
time.monotonic = _slow
time.perf_counter = _slow


def solve(x):
    time.sleep(0.3)
    return x
