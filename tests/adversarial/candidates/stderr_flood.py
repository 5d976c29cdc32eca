# Write to stderr without end. Expected: output_limit (stderr cut).
import sys


def solve(x):
    line = "flood " * 200 + "\n"
    while True:
        sys.stderr.write(line)
        sys.stderr.flush()
