# Return infinity. Expected: invalid_output.
def solve(x):
    return float("inf")
