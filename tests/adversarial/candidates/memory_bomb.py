# Allocate (and touch) memory without bound. Expected: memory.
def solve(x):
    hog = []
    while True:
        hog.append(bytearray(b"\1" * 10_000_000))
