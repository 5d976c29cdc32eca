# Read the case inputs before any case is asked (to answer from a cache in no time): from a
# cases file beside the candidate, from the harness's stdin, or from the harness's memory.
# Expected: ok, and nothing found (the inputs reach only the timekeeper, which is
# undumpable, and come to the candidate one at a time).
import os

found = []
for path in ("cases.jsonl", "/job/cases.jsonl", "/proc/self/fd/0"):
    try:
        with open(path, "rb") as fh:
            if fh.read(64):
                found.append(path)
    except OSError:
        pass
parent = os.getppid()
for name in ("fd/0", "mem", "environ"):
    try:
        with open(f"/proc/{parent}/{name}", "rb") as fh:
            if fh.read(64):
                found.append(f"parent {name}")
    except OSError:
        pass
print("inputs:", ", ".join(found) if found else "not found", flush=True)


def solve(x):
    return x
