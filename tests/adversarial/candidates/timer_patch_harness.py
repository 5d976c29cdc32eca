# Reach into the harness (the __main__ module) and replace the clock it measures with.
# Expected: tampered (the timestamps no longer fit the host's observed window).
import sys
import time


def solve(x):
    harness = sys.modules["__main__"]
    harness._monotonic = lambda: 0.0
    time.sleep(0.2)
    return x
