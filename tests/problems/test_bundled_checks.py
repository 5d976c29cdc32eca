"""`adrs problems check` passes on each bundled verifier problem (seed on both splits)."""

import pytest

from adrs.problem.check import check_problem
from tests.conftest import PROBLEMS


@pytest.mark.parametrize("name", ["moe_placement", "txn_scheduling", "spot_scheduling", "llm_sql"])
def test_problem_folder_checks_and_its_seed_evaluates(name: str, synthetic: None) -> None:
    report = check_problem(PROBLEMS / name, sandbox="process")
    failed = [f"{i.name}: {i.detail}" for i in report.items if not i.ok]
    assert report.ok, failed
    names = [i.name for i in report.items]
    assert "seed on search" in names and "seed on heldout" in names
