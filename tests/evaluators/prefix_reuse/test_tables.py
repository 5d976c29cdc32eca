"""Tables: reading CSV files with clear errors, and the synthetic generator's shapes."""

import pytest

from evaluators.prefix_reuse.tables import KINDS, TableError, generate, read_csv, slice_rows


def test_a_csv_file_reads_with_merge_groups_and_no_separator_in_values(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,name,note\n1,Ale,"two\nlines"\n2,Stout,x\n', encoding="utf-8")
    table = read_csv(path, [["id", "name"]])
    assert table.columns == ["id", "name", "note"]
    assert table.rows == [["1", "Ale", "two lines"], ["2", "Stout", "x"]]
    assert table.groups == [[0, 1]]
    assert slice_rows(table, 1, 2).rows == [["2", "Stout", "x"]]


@pytest.mark.parametrize(
    ("text", "merge", "message"),
    [
        ("", [], "empty file"),
        ("a,b\n1,2\n3\n", [], r"t.csv:3: 1 fields, the header has 2"),
        ("a,b\n1,2\n", [["a", "c"]], "no column 'c' to merge"),
    ],
)
def test_bad_csv_files_are_one_line_errors(tmp_path, text: str, merge: list, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TableError, match=message):
        read_csv(path, merge)


def test_a_missing_or_binary_file_says_so(tmp_path) -> None:
    with pytest.raises(TableError, match=r"nope\.csv: file not found"):
        read_csv(tmp_path / "nope.csv")
    (tmp_path / "b.csv").write_bytes(b"\xff\xfe\x00a,b\n")
    with pytest.raises(TableError, match="not a readable CSV file"):
        read_csv(tmp_path / "b.csv")


def test_generated_tables_are_deterministic_rectangular_and_grouped() -> None:
    for kind in KINDS:
        table = generate(kind, "shape", 300)
        assert table.rows == generate(kind, "shape", 300).rows
        assert table.rows != generate(kind, "other", 300).rows
        assert len(table.rows) == 300
        assert all(len(row) == len(table.columns) for row in table.rows)
        assert table.groups and all(0 <= c < len(table.columns) for g in table.groups for c in g)
        assert not any("\n" in v for row in table.rows for v in row)


def test_generated_columns_have_realistic_cardinalities_and_dependencies() -> None:
    table = generate("reviews", "card", 2000)
    distinct = {name: len({r[k] for r in table.rows}) for k, name in enumerate(table.columns)}
    assert distinct["review/palate"] <= 5 and distinct["review/overall"] <= 20
    assert distinct["review/time"] > 500 and 50 < distinct["beer/name"] < 1000
    name_of = {}
    for row in table.rows:  # the id determines the name (a functional dependency)
        assert name_of.setdefault(row[8], row[6]) == row[6]


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(TableError, match="unknown table kind 'x'"):
        generate("x", 0, 10)
