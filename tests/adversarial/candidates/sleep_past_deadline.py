# Sleep well past the deadline without using CPU. Expected: timeout.
import time


def solve(x):
    time.sleep(3600)
    return x
