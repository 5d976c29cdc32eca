# Print without end. Expected: output_limit (stdout cut).
def solve(x):
    line = "flood " * 200
    while True:
        print(line, flush=True)
