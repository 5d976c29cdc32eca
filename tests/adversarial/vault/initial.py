# EVOLVE-BLOCK-START
def solve(x):
    return x


# EVOLVE-BLOCK-END
