"""Feature descriptors that place a program in a MAP-Elites cell.

Built in: ``complexity`` (characters in the evolvable region) and ``ast_nodes`` (syntax
nodes in it, Python only). Any other name is read from the program's metrics, so a problem
can use a verifier metric (say ``gap_to_bound`` or ``elapsed_s``) as a behavioural axis.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from adrs.source.regions import RegionError, split_regions


def _region(source: str) -> str:
    try:
        return split_regions(source).evolvable_text()
    except RegionError:
        return source


def _ast_nodes(text: str) -> float:
    try:
        return float(sum(1 for _ in ast.walk(ast.parse(text))))
    except (SyntaxError, ValueError, RecursionError):
        return float(len(text.split()))


def compute_features(
    dims: Sequence[str], source: str, metrics: Mapping[str, float], language: str = "python"
) -> dict[str, float]:
    region = _region(source)
    out: dict[str, float] = {}
    for dim in dims:
        if dim == "complexity":
            out[dim] = float(len(region))
        elif dim == "ast_nodes":
            out[dim] = _ast_nodes(region) if language == "python" else float(len(region.split()))
        else:
            out[dim] = float(metrics.get(dim, 0.0))
    return out
