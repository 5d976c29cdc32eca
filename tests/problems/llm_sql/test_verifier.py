"""llm_sql's verifier: its workloads, the reorderings it rejects, and how it scores."""

from __future__ import annotations

import copy
from types import ModuleType

import pytest

from evaluators.prefix_reuse import metrics
from evaluators.prefix_reuse.tables import Table, generate
from evaluators.verdict import InvalidOutput
from tests.problems.helpers import data_dir, seed, verifier
from tests.support.require import require


@pytest.fixture(scope="module")
def v() -> ModuleType:
    return verifier("llm_sql")


@pytest.fixture(scope="module")
def small(v: ModuleType) -> dict:
    return v._case("small", "test:small", generate("reviews", "verifier-test", 400))


def driven(case: dict, reordering: object, table: dict | None = None) -> dict:
    """What the driver hands back: the reordering, and the table as it is after the call."""
    t = case["input"] if table is None else table
    return {"reordering": reordering, "table_after": [t["columns"], t["rows"], t["groups"]]}


def identity(case: dict) -> list:
    """The table as stored: rows and columns in their order, each group kept together."""
    table = case["input"]
    stored = metrics.stored_order(len(table["columns"]), table["groups"])
    return [list(range(len(table["rows"]))), [list(stored) for _ in table["rows"]]]


def test_default_cases_are_synthetic_tables_with_disjoint_splits(
    v: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADRS_DATA_DIR", raising=False)
    search, heldout = v.cases("search", 0), v.cases("heldout", 0)
    assert [c["id"] for c in search] == [
        "search-reviews",
        "search-movies",
        "search-products",
        "search-questions",
    ]
    assert all(
        a["input"]["rows"] != b["input"]["rows"] for a, b in zip(search, heldout, strict=True)
    )
    first = search[0]
    assert first["budget_s"] == pytest.approx(12.0 * 2000 / 28_479)
    assert first["input"]["groups"] == [[8, 6]]


def test_the_beer_table_is_split_into_disjoint_row_ranges(
    v: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = data_dir()
    require((root / "llm_sql" / "beer.csv").is_file(), f"no llm_sql/beer.csv under {root}")
    monkeypatch.setenv("ADRS_DATA_DIR", str(root))
    search, heldout = v.cases("search", 0), v.cases("heldout", 0)
    assert [c["id"] for c in search] == ["search-beer-0-7120", "search-beer-7120-14240"]
    assert [c["id"] for c in heldout] == ["heldout-beer-14240-21360", "heldout-beer-21360-28479"]
    case = search[0]
    assert case["input"]["columns"][-1] == "beer/beerId"
    assert case["input"]["groups"] == [[8, 6]]  # beer/beerId stays before beer/name
    assert case["input"]["rows"][0][6] == "John Harvards Simcoe IPA"


def test_only_a_data_directory_with_llm_sql_switches_to_the_beer_table(
    v: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("ADRS_DATA_DIR", str(tmp_path))
    assert v.cases("heldout", 0)[0]["id"] == "heldout-reviews"  # no llm_sql/: synthetic
    (tmp_path / "llm_sql").mkdir()
    with pytest.raises(ValueError, match=r"llm_sql/beer\.csv: file not found"):
        v.cases("heldout", 0)
    monkeypatch.setenv("ADRS_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="nowhere: no such directory"):
        v.cases("heldout", 0)


def test_the_seed_beats_the_original_order_and_stays_under_the_bound(
    v: ModuleType, small: dict
) -> None:
    output = seed("llm_sql").reorder(**copy.deepcopy(small["input"]))
    m = v.score(small, driven(small, output))
    assert m["original_hit_rate"] + 0.2 < m["hit_rate"] <= m["bound_hit_rate"] < 1
    assert m["gap_to_bound"] == pytest.approx(m["bound_hit_rate"] - m["hit_rate"])
    same = v.score(small, driven(small, identity(small)))
    assert same["hit_rate"] == same["original_hit_rate"]


def test_the_row_order_does_not_change_the_hit_rate_but_changes_adjacent_hits(
    v: ModuleType, small: dict
) -> None:
    order, fields = seed("llm_sql").reorder(**copy.deepcopy(small["input"]))
    flipped = [order[::-1], fields[::-1]]
    a, b = v.score(small, driven(small, [order, fields])), v.score(small, driven(small, flipped))
    assert a["hit_rate"] == b["hit_rate"]
    unsorted = [order[::2] + order[1::2], fields[::2] + fields[1::2]]
    assert v.score(small, driven(small, unsorted))["adjacent_hit_rate"] < a["adjacent_hit_rate"]


def test_a_candidate_that_edits_its_table_in_place_is_rejected(v: ModuleType) -> None:
    table = Table(["a", "b"], [["x1", "y"], ["x2", "y"], ["x3", "y"]], [[0, 1]])
    case = v._case("edit", "test:edit", table)
    output = [[0, 1, 2], [[0, 1]] * 3]
    untouched = v.score(case, driven(case, output))
    prompts = [metrics.render(r, [0, 1]) for r in case["input"]["rows"]]
    assert untouched["hit_rate"] == metrics.hit_rate(prompts)
    edits = [
        (lambda t: t["rows"][1].__setitem__(0, "same"), r"'rows' in place \(row 1 differs\)"),
        (lambda t: t["rows"].pop(), r"'rows' in place \(rows added or removed\)"),
        (lambda t: t["rows"].reverse(), r"'rows' in place \(row 0 differs\)"),
        (lambda t: t["columns"].reverse(), "changed its input 'columns' in place"),
        (lambda t: t["groups"].clear(), "changed its input 'groups' in place"),
    ]
    for edit, reason in edits:
        handed = copy.deepcopy(case["input"])  # the candidate's own copy, in the sandbox
        edit(handed)
        with pytest.raises(InvalidOutput, match=reason):
            v.score(case, driven(case, output, handed))
    assert case["input"]["rows"][0] == ["x1", "y"]  # the host's copy is never touched
    with pytest.raises(InvalidOutput, match="expected the driver's"):
        v.score(case, output)
    with pytest.raises(InvalidOutput, match="'table_after' is not"):
        v.score(case, {"reordering": output, "table_after": {"rows": case["input"]["rows"]}})


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda o: o[0], "expected \\[order, fields\\]"),
        (lambda o: [o[0][:-1], o[1][:-1]], "the row order has 3 entries, the table 4 rows"),
        (lambda o: [[0, 0, 1, 2], o[1]], "names row 0 twice"),
        (lambda o: [[0, 1, 2, 7], o[1]], "names row 7 at position 3"),
        (lambda o: [[0, 1, 2, True], o[1]], "True' is not an integer index"),
        (lambda o: [o[0], o[1][:3]], "one column order per row"),
        (lambda o: [o[0], [*o[1][:3], [0, 1, 2, 2]]], "fields of output row 3 \\(input row 3\\)"),
        (lambda o: [o[0], [*o[1][:3], [0, 2, 1, 3]]], "must stay together, in that order"),
        (lambda o: [o[0], [*o[1][:3], [0, 1, 3, 2]]], "columns \\[1, 2\\] must stay together"),
        (lambda o: [o[0], [*o[1][:3], "0123"]], "must be a list of integers, got str"),
    ],
)
def test_invalid_reorderings_are_rejected_with_the_reason(v: ModuleType, mutate, reason) -> None:
    table = Table(["a", "b", "c", "d"], [["1", "2", "3", "4"]] * 4, [[1, 2]])
    assert metrics.stored_order(4, [[1, 2]]) == [0, 1, 2, 3]
    case = v._case("shape", "test:shape", table)
    with pytest.raises(InvalidOutput, match=reason):
        v.score(case, driven(case, mutate(identity(case))))


def test_the_score_weighs_hit_rate_and_speed_as_published(v: ModuleType) -> None:
    cases = [
        {"hit_rate": 0.6, "budget_s": 2.0, "elapsed_s": 1.0},
        {"hit_rate": 0.4, "budget_s": 1.0, "elapsed_s": 3.0},
    ]
    combined = v.combine(cases)
    assert combined["speed"] == pytest.approx((0.5 + 0.0) / 2)
    assert combined["score"] == pytest.approx(0.95 * 0.5 + 0.05 * 0.25)


def test_seed_and_reference_figures_are_stable_on_the_first_search_table(
    v: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADRS_DATA_DIR", raising=False)
    case = v.cases("search", 0)[0]
    assert case["id"] == "search-reviews"
    output = seed("llm_sql").reorder(**copy.deepcopy(case["input"]))
    m = v.score(case, driven(case, output))
    # The first of the four tables behind the README's synthetic search row.
    assert m["hit_rate"] == pytest.approx(0.54502, abs=1e-5)
    assert m["original_hit_rate"] == pytest.approx(0.13525, abs=1e-5)
    assert m["bound_hit_rate"] == pytest.approx(0.77120, abs=1e-5)
    assert m["unseparated_hit_rate"] == pytest.approx(0.55892, abs=1e-5)
