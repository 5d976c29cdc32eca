"""llm_sql end to end in the process sandbox: the seed, and candidates that cheat."""

from __future__ import annotations

import pytest

from adrs.evaluation.status import Status
from tests.problems.helpers import PROBLEMS, run_in_sandbox


@pytest.fixture(autouse=True)
def synthetic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADRS_DATA_DIR", raising=False)


def program(body: str) -> str:
    return f"# EVOLVE-BLOCK-START\n{body}\n# EVOLVE-BLOCK-END\n"


STORED = """
def stored(columns, groups):
    group_of = {c: g for g in groups for c in g}
    out = []
    for c in range(len(columns)):
        if c not in group_of:
            out.append(c)
        elif c not in out:
            out.extend(group_of[c])
    return out
"""

# Makes every value of the table it was handed identical, then returns the stored order.
EDITS_ITS_TABLE = (
    STORED
    + """
def reorder(columns, rows, groups):
    for row in rows:
        for k in range(len(row)):
            row[k] = "same"
    return [list(range(len(rows))), [stored(columns, groups) for _ in rows]]
"""
)

# Sends the first row twice and drops the last one.
DUPLICATES_A_ROW = (
    STORED
    + """
def reorder(columns, rows, groups):
    order = [0] + list(range(len(rows) - 1))
    return [order, [stored(columns, groups) for _ in rows]]
"""
)


def test_the_seed_runs_in_the_sandbox_and_beats_the_stored_order() -> None:
    source = (PROBLEMS / "llm_sql" / "initial.py").read_text()
    result = run_in_sandbox("llm_sql", source)
    assert result.status is Status.OK, result.reason
    m = result.metrics
    assert m["original_hit_rate"] < m["hit_rate"] <= m["bound_hit_rate"]
    assert 0 < m["speed"] <= 1 and result.score == pytest.approx(
        0.95 * m["hit_rate"] + 0.05 * m["speed"]
    )


def test_editing_the_table_in_the_sandbox_is_invalid_output() -> None:
    result = run_in_sandbox("llm_sql", program(EDITS_ITS_TABLE))
    assert result.status is Status.INVALID_OUTPUT
    assert "reorder changed its input 'rows' in place (row 0 differs)" in result.reason
    # The same program working on a copy of its table is accepted (and scored on the
    # host's table: the copy's edits change nothing).
    copying = EDITS_ITS_TABLE.replace(
        "    for row in rows:", "    rows = [list(r) for r in rows]\n    for row in rows:"
    )
    result = run_in_sandbox("llm_sql", program(copying))
    assert result.status is Status.OK, result.reason
    assert result.metrics["hit_rate"] == result.metrics["original_hit_rate"]


def test_a_row_sent_twice_is_invalid_output() -> None:
    result = run_in_sandbox("llm_sql", program(DUPLICATES_A_ROW))
    assert result.status is Status.INVALID_OUTPUT
    assert "names row 0 twice" in result.reason
