"""MAP-Elites feature descriptors: built-in code measures, or any verifier metric."""

from __future__ import annotations

from adrs.search.features import compute_features

SOURCE = "import os\n# EVOLVE-BLOCK-START\ndef f(x):\n    return x + 1\n# EVOLVE-BLOCK-END\n"
REGION = "def f(x):\n    return x + 1\n"


def test_complexity_counts_only_the_evolvable_region() -> None:
    assert compute_features(["complexity"], SOURCE, {}) == {"complexity": float(len(REGION))}


def test_ast_nodes_for_python_and_words_for_other_languages() -> None:
    py = compute_features(["ast_nodes"], SOURCE, {})["ast_nodes"]
    assert py > len(REGION.split())  # nodes, not words
    cuda = "// EVOLVE-BLOCK-START\nint a = 1;\n// EVOLVE-BLOCK-END\n"
    cu = compute_features(["ast_nodes"], cuda, {}, "cuda")
    assert cu == {"ast_nodes": 4.0}


def test_any_other_dimension_is_read_from_the_metrics() -> None:
    got = compute_features(["complexity", "gap_to_bound"], SOURCE, {"gap_to_bound": 1.25})
    assert got["gap_to_bound"] == 1.25
    assert compute_features(["elapsed_s"], SOURCE, {}) == {"elapsed_s": 0.0}
