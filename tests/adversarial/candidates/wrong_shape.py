# Return a matrix where a number is expected. Expected: invalid_output.
def solve(x):
    return [[x, x, x], [x, x, x]]
