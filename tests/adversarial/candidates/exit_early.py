# Exit with status 0 before producing any output. Expected: error (no output for the cases).
import os


def solve(x):
    os._exit(0)
