"""problem.toml parsing: strict, with the file and key in every error."""

from __future__ import annotations

from pathlib import Path

import pytest

from adrs.errors import ProblemError
from adrs.problem.spec import parse_spec

TOP = 'name = "p"\nentry = "f"\n'
OBJECTIVE = '[objective]\nmetric = "m"\ndirection = "minimize"\n'
BASE = TOP + OBJECTIVE


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "problem.toml"
    path.write_text(text)
    return path


def test_minimal_spec_gets_defaults(tmp_path: Path) -> None:
    spec = parse_spec(write(tmp_path, BASE))
    assert spec.stages[0].name == "full" and spec.stages[0].split == "search"
    assert spec.limits.timeout_s == 60 and spec.features == ("complexity",)
    assert spec.objective.better(1.0, 2.0) and spec.objective.fitness(2.0) == -2.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 'p'\n[objective]\nmetric='m'\ndirection='up'\n", "'direction' must be"),
        ("[objective]\nmetric='m'\ndirection='minimize'\n", "missing required key 'name'"),
        (TOP + "colour = 'red'\n" + OBJECTIVE, "unknown key 'colour'"),
        (BASE + "unit = 's'\n", r"\[objective\]: unknown key 'unit'"),
        (BASE + "[limits]\ntimeout_s = -1\n", "'timeout_s' must be positive"),
        (BASE + "[limits]\nmemory_mb = 'lots'\n", "'memory_mb' must be an integer"),
        (BASE + "[[stages]]\nsplit = 'train'\n", "'split' must be one of search, heldout"),
        (BASE + "[[stages]]\nname='a'\n[[stages]]\nname='a'\n", "stage names must be unique"),
        (
            BASE + "[[stages]]\nname='a'\nthreshold=1\n",
            "the last stage 'a' cannot have a threshold",
        ),
        (TOP + "language = 'rust'\n" + OBJECTIVE, "'language' must be one of python, cuda"),
        ("name = 'p'\nentry = 'not a name'\n" + OBJECTIVE, "'entry' must be a function name"),
        ("name = [", "not valid TOML"),
    ],
)
def test_each_defect_has_its_own_error(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ProblemError, match=message) as err:
        parse_spec(path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)
