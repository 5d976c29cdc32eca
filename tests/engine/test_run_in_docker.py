"""End to end: `adrs run` on the bundled problem with every evaluation in a container."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adrs.archive.store import Archive
from adrs.cli.main import main
from adrs.sandbox import engine
from tests.support.docker_env import require_docker

REPO = Path(__file__).resolve().parents[2]


def test_run_on_model_placement_evaluates_in_docker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_docker()
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    argv = [
        "run",
        str(REPO / "problems" / "model_placement"),
        "--sandbox",
        "docker",
        "--iterations",
        "4",
        "--seed",
        "3",
        "--db",
        db,
        "--quiet",
        "--json",
    ]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    archive = Archive(db)
    run = archive.get_run(result["run_id"])
    assert run.sandbox_backend == "docker"
    evaluations = [e for p in archive.programs(run.id) for e in archive.evaluations(p.id)]
    assert evaluations, "the seed at least was evaluated"
    assert {e.backend for e in evaluations} == {"docker"}
    assert all(e.limits["network"] == "none" for e in evaluations)
    assert result["seed_score"] is not None
    # The run closed its sandbox: none of its containers is left.
    left = engine.client().containers(all=True, filters={"label": [f"{engine.RUN_LABEL}={run.id}"]})
    assert left == []
