"""The templates' filters: applied limits read as a person would write them."""

from __future__ import annotations

from adrs.dashboard.assets import count, mutation, setting


def test_limits_render_lists_mappings_and_sizes_without_python_reprs() -> None:
    assert setting(["ALL"]) == "ALL"
    assert setting(["no-new-privileges", "seccomp"]) == "no-new-privileges, seccomp"
    assert setting([]) == "none"
    assert setting({"/tmp": "size=256m", "/job": "ro"}) == "/job ro; /tmp size=256m"
    assert setting(4 * 1024 * 1024) == "4 MiB"
    assert setting(268_435_457) == "268,435,457"
    assert setting(20.0) == "20"
    assert setting(True) == "True"
    assert setting("229070:229070") == "229070:229070"


def test_counts_have_thousands_separators() -> None:
    assert count(8_963_711) == "8,963,711"
    assert count(0) == "0"
    assert count(None) == "-"


def test_mutation_labels_may_wrap_after_each_plus_and_stay_escaped() -> None:
    assert str(mutation("offline:swap_key+crossover")) == "offline:swap_key+<wbr>crossover"
    assert str(mutation('<svg onload="x">+a')) == "&lt;svg onload=&#34;x&#34;&gt;+<wbr>a"
    assert str(mutation(None)) == ""
