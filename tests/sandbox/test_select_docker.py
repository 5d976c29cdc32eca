"""`--sandbox auto` picks docker when an engine answers and the image exists, else says why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.archive.store import Archive
from adrs.engine.runner import start_run
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


GPU_PROBLEM = TOY_TOML.format(timeout=5) + '[sandbox]\nimage = "adrs-python:latest"\ngpu = true\n'


def test_auto_falls_back_to_process_for_gpus_when_the_engine_cannot_hand_them_out(
    make_problem: Callable[..., Path],
) -> None:
    # This machine's engine has no NVIDIA runtime: a GPU problem must not be sent to it.
    require_docker()
    from adrs.sandbox import engine

    if engine.gpu_error() is None:
        pytest.skip("this Docker engine has the NVIDIA runtime")
    name, why = choose_sandbox("auto", load_problem(make_problem(toml=GPU_PROBLEM)))
    assert name == "process"
    assert "no NVIDIA runtime" in why
    assert choose_sandbox("auto", load_problem(make_problem(name="cpu"))) == (
        "docker",
        "auto: a Docker engine answers and the image exists",
    )


def test_requesting_docker_without_its_image_is_an_error(
    make_problem: Callable[..., Path],
) -> None:
    require_docker()
    problem = load_problem(make_problem(toml=MISSING_IMAGE))
    with pytest.raises(NotAvailableError, match="sandbox backend 'docker': image adrs-missing"):
        choose_sandbox("docker", problem)


@pytest.mark.parametrize(
    ("toml", "backend", "why"),
    [
        (None, "docker", "auto: a Docker engine answers and the image exists"),
        (MISSING_IMAGE, "process", "auto: docker unusable (image adrs-missing:none is not built"),
    ],
    ids=["docker", "fallback"],
)
def test_a_run_on_auto_says_which_backend_and_why_and_records_it(
    make_problem: Callable[..., Path],
    tmp_path: Path,
    toml: str | None,
    backend: str,
    why: str,
) -> None:
    require_docker()
    said: list[str] = []
    db = str(tmp_path / "a.db")
    settings = {"iterations": 1, "sandbox": "auto", "executor": "inline"}
    result = start_run(make_problem(toml=toml), settings, db=db, notify=said.append)
    assert any(line.startswith(f"sandbox: {backend} ({why}") for line in said), said
    archive = Archive(db)
    run = archive.get_run(result.run_id)
    assert run.sandbox_backend == backend
    (start,) = [e.message for e in archive.events(run.id) if e.kind == "start"]
    assert f"sandbox {backend} ({why}" in start
    evaluations = [e for p in archive.programs(run.id) for e in archive.evaluations(p.id)]
    assert evaluations and {e.backend for e in evaluations} == {backend}
