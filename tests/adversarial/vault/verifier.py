"""Trusted verifier of the vault problem: the expected outputs use a secret kept on the host."""

import json
import math
from pathlib import Path

from evaluators.verdict import InvalidOutput

DATA = json.loads((Path(__file__).parent / "heldout.json").read_text())


def cases(split, seed):
    xs = [1, 2, 3] if split == "search" else DATA["heldout_x"]
    return [{"id": f"{split}-{x}", "input": {"x": x}, "expected": x * DATA["secret"]} for x in xs]


def score(case, output):
    if isinstance(output, bool) or not isinstance(output, (int, float)):
        raise InvalidOutput(f"expected a number, got {type(output).__name__}")
    if math.isnan(output):
        raise InvalidOutput("output is NaN")
    if not math.isfinite(output):
        raise InvalidOutput(f"output is not finite ({output})")
    return {"value": -abs(output - case["expected"])}
