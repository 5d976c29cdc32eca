import pytest

from adrs.source.fingerprint import fingerprint
from adrs.source.regions import RegionError, edit_outside_regions, replace_regions, split_regions


def test_split_regions_round_trips_the_source() -> None:
    src = "a\n# EVOLVE-BLOCK-START\nb\nc\n# EVOLVE-BLOCK-END\nd\n"
    regions = split_regions(src)
    assert regions.marked and regions.evolvable == ("b\nc\n",)
    assert (
        "".join(f + e for f, e in zip(regions.fixed, [*regions.evolvable, ""], strict=True)) == src
    )
    assert regions.evolvable_spans() == [(3, 4)]


def test_unmarked_program_is_evolvable_as_a_whole() -> None:
    regions = split_regions("x = 1\n")
    assert not regions.marked and regions.evolvable_text() == "x = 1\n"
    assert edit_outside_regions("x = 1\n", "x = 2\n") is None


@pytest.mark.parametrize(
    "src",
    [
        "# EVOLVE-BLOCK-END\n",
        "# EVOLVE-BLOCK-START\n",
        "# EVOLVE-BLOCK-START\n# EVOLVE-BLOCK-START\n",
    ],
)
def test_malformed_markers_raise(src: str) -> None:
    with pytest.raises(RegionError):
        split_regions(src)


def test_replace_regions_only_touches_evolvable_parts() -> None:
    src = "a\n# EVOLVE-BLOCK-START\nb\n# EVOLVE-BLOCK-END\nc\n"
    assert replace_regions(src, ["z"]) == "a\n# EVOLVE-BLOCK-START\nz\n# EVOLVE-BLOCK-END\nc\n"


def test_fingerprint_ignores_comments_and_formatting() -> None:
    a = "def f(x):\n    return x+1  # add\n"
    b = "def f(x):\n\n    return (x + 1)\n"
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint("def f(x):\n    return x + 2\n")


def test_fingerprint_of_c_like_source_ignores_comments() -> None:
    a = "int f() { return 1; } // one"
    b = "int f() {\n  return 1; /* still one */\n}"
    assert fingerprint(a, "cuda") == fingerprint(b, "cuda")
