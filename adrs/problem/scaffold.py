"""`adrs problems new`: a problem folder with commented templates of every file."""

from __future__ import annotations

from pathlib import Path

from adrs.errors import ProblemError

PROBLEM_TOML = """# {name}: what the problem is, in one line.
name = "{name}"
description = "Describe the problem in one sentence"
language = "python"        # python | cuda
entry = "solve"            # the function the harness calls with each case's input
case_seed = 0              # seed passed to verifier.cases(); fixed so scores compare
features = ["complexity"]  # MAP-Elites axes: complexity, ast_nodes, or any metric name

[objective]
metric = "score"           # a key of the dict that verifier.score() returns
direction = "maximize"     # or "minimize"

# The evaluation cascade: a cheap stage first; later stages only above the threshold.
[[stages]]
name = "quick"
split = "search"
cases = 5
threshold = 0.0            # objective units; omit for no screen

[[stages]]
name = "full"
split = "search"           # all search cases

[limits]
timeout_s = 30             # wall clock per stage, enforced from the host
memory_mb = 1024
output_mb = 8
processes = 16

[sandbox]
image = "adrs-python:latest"
packages = []              # extra Python packages the candidate may import
"""

INITIAL = '''"""The seed program: the best known simple solution, which the search improves."""


# EVOLVE-BLOCK-START
def solve(numbers):
    """Return the input sorted ascending (replace with your problem's entry point)."""
    return sorted(numbers)
# EVOLVE-BLOCK-END
'''

VERIFIER = '''"""Trusted verifier: runs on the host, never inside the sandbox.

cases(split, seed) -> list of {"id": str, "input": {kwargs for the entry function}, ...}
    Keys other than "id" and "input" stay on the host (expected answers, hidden data).
    The "search" and "heldout" splits must not overlap.
score(case, output) -> dict of metric name -> number
    Recompute every metric from the raw output; raise InvalidOutput("why") to reject it.
combine(per_case) -> dict (optional; default: the mean of each metric)
"""

import random

from evaluators.verdict import InvalidOutput


def cases(split, seed):
    offset = {"search": 0, "heldout": 1_000_000}[split]
    out = []
    for i in range(20):
        rng = random.Random(f"{seed}:{offset + i}")
        out.append({"id": f"{split}-{i}",
                    "input": {"numbers": [rng.randint(0, 99) for _ in range(50)]}})
    return out


def score(case, output):
    numbers = case["input"]["numbers"]
    if not isinstance(output, list) or sorted(output) != sorted(numbers):
        raise InvalidOutput("output is not a permutation of the input")
    inversions = sum(1 for a, b in zip(output, output[1:]) if a > b)
    return {"score": 1.0 - inversions / max(1, len(output) - 1)}
'''

PROMPT = """{# Jinja2: what the model is told about the problem. Variables: problem.name, ... #}
Improve `solve(numbers)` so that it returns the numbers sorted ascending.

The score is 1 minus the share of adjacent pairs that are out of order (1.0 is perfect).
Describe what matters for a good solution and what to avoid (time limits, memory).
"""

# Optional, so it is written under another name: a driver.py switches the harness to
# driver mode, which a plain function problem does not want.
DRIVER = '''"""Optional driver (rename this file to driver.py to use it): runs in the sandbox.

For problems whose candidate is a callback (a cache policy called per request, a scheduler
asked at every tick), the driver is the simulator loop: the harness calls
run(candidate_module, case_input) once per case, and whatever run returns (JSON-like data,
typically a log of the candidate's decisions) is the output that verifier.score(case,
output) receives and replays on the host. Never trust the log: the verifier must check
every decision against its own copy of the case.
"""


def run(candidate, case_input):
    # A trivial loop for the template problem: ask the candidate once and log its answer.
    return candidate.solve(**case_input)
'''

README = """# {name}

What the problem is, where its workloads come from, the seed's score, a naive baseline and
a bound. Check it with `adrs problems check {path}`.
"""


def scaffold(name: str, parent: Path) -> Path:
    """Create ``parent/name`` with template files; refuses to overwrite anything."""
    if not name.isidentifier():
        raise ProblemError(f"{name!r}: a problem name must be a Python identifier")
    root = parent / name
    if root.exists():
        raise ProblemError(f"{root}: already exists")
    root.mkdir(parents=True)
    (root / "problem.toml").write_text(PROBLEM_TOML.format(name=name), encoding="utf-8")
    (root / "initial.py").write_text(INITIAL, encoding="utf-8")
    (root / "verifier.py").write_text(VERIFIER, encoding="utf-8")
    (root / "prompt.md").write_text(PROMPT, encoding="utf-8")
    (root / "driver.py.example").write_text(DRIVER, encoding="utf-8")
    (root / "README.md").write_text(README.format(name=name, path=root), encoding="utf-8")
    return root
