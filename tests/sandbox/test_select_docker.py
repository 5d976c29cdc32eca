"""`--sandbox auto` picks docker when an engine answers and the image exists, else says why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.errors import NotAvailableError
from adrs.problem.loader import load_problem
from adrs.sandbox.select import choose_sandbox
from tests.conftest import TOY_TOML
from tests.support.docker_env import require_docker

MISSING_IMAGE = TOY_TOML.format(timeout=5) + '[sandbox]\nimage = "adrs-missing:none"\n'


def test_auto_prefers_docker_when_the_image_exists(make_problem: Callable[..., Path]) -> None:
    require_docker()
    name, why = choose_sandbox("auto", load_problem(make_problem()))
    assert (name, why) == ("docker", "auto: a Docker engine answers and the image exists")


def test_auto_falls_back_to_process_and_names_the_missing_image(
    make_problem: Callable[..., Path],
) -> None:
    require_docker()
    problem = load_problem(make_problem(toml=MISSING_IMAGE))
    name, why = choose_sandbox("auto", problem)
    assert name == "process"
    assert "image adrs-missing:none is not built (run 'adrs sandbox build" in why


def test_requesting_docker_without_its_image_is_an_error(
    make_problem: Callable[..., Path],
) -> None:
    require_docker()
    problem = load_problem(make_problem(toml=MISSING_IMAGE))
    with pytest.raises(NotAvailableError, match="sandbox backend 'docker': image adrs-missing"):
        choose_sandbox("docker", problem)
