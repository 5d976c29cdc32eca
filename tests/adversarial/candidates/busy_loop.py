# Spin forever. Expected: timeout (wall-clock deadline or CPU-time limit).
def solve(x):
    n = 0
    while True:
        n += 1
