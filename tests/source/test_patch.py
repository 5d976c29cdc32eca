from adrs.source.patch import apply_response, parse_blocks

PARENT = """import math

# EVOLVE-BLOCK-START
def f(x):
    y = x * 2
    return y + 1
# EVOLVE-BLOCK-END

def helper():
    return 3
"""


def block(search: str, replace: str) -> str:
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


def test_exact_block_applies_inside_region() -> None:
    out = apply_response(PARENT, block("    y = x * 2", "    y = x * 3"))
    assert out.error is None and out.kind == "diff"
    assert "y = x * 3" in (out.source or "")


def test_blocks_inside_markdown_fences_and_prose_apply_in_order() -> None:
    response = (
        "Here is my change, I think it helps.\n```diff\n"
        + block("    y = x * 2", "    y = x * 4")
        + "```\nAnd another:\n"
        + block("    return y + 1", "    return y - 1")
    )
    out = apply_response(PARENT, response)
    assert out.blocks == 2
    assert "x * 4" in (out.source or "") and "y - 1" in (out.source or "")


def test_whitespace_tolerant_match_reindents_replacement() -> None:
    out = apply_response(PARENT, block("y = x * 2\nreturn y + 1", "y = x ** 2\nreturn y"))
    assert out.error is None
    assert "    y = x ** 2\n    return y\n" in (out.source or "")


def test_missing_search_text_is_a_recorded_reason() -> None:
    out = apply_response(PARENT, block("    z = 7", "    z = 8"))
    assert out.source is None
    assert out.error == "block 1: search text not found in parent"


def test_edit_outside_evolve_block_is_rejected() -> None:
    out = apply_response(PARENT, block("    return 3", "    return 4"))
    assert out.source is None
    assert out.error is not None and out.error.startswith("edit outside EVOLVE-BLOCK")


def test_removing_a_marker_is_rejected() -> None:
    out = apply_response(PARENT, block("# EVOLVE-BLOCK-END", ""))
    assert out.source is None and "EVOLVE-BLOCK" in (out.error or "")


def test_prose_without_code_is_no_code_in_response() -> None:
    out = apply_response(PARENT, "I would make it faster by caching.")
    assert out.source is None and out.error == "no code in response"


def test_full_rewrite_of_region_body_keeps_fixed_parts() -> None:
    code = "```python\ndef f(x):\n    return 2 * x + 1\n```"
    out = apply_response(PARENT, code)
    assert out.kind == "rewrite" and out.error is None
    assert out.source is not None and out.source.startswith("import math\n")
    assert "def helper" in out.source and "return 2 * x + 1" in out.source


def test_unclosed_block_is_reported() -> None:
    out = apply_response(PARENT, "<<<<<<< SEARCH\n    y = x * 2\n=======\n")
    assert out.source is None and "not closed" in (out.error or "")


def test_parse_blocks_keeps_empty_replacement() -> None:
    blocks = parse_blocks(block("a = 1\nb = 2", ""))
    assert len(blocks) == 1 and blocks[0].replace == "" and blocks[0].search == "a = 1\nb = 2"
