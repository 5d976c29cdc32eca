# Fork without end; every child forks too. Expected: the pids limit stops the growth and
# the wall-clock deadline ends the evaluation (timeout); nothing survives it.
import os
import time


def solve(x):
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.01)
