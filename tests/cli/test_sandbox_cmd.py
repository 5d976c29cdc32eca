"""`adrs sandbox build|prune|doctor` against the real engine."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.cli.main import main
from tests.conftest import TOY_TOML
from tests.support.docker_env import require_docker

REPO = Path(__file__).resolve().parents[2]


def test_doctor_says_the_backend_is_usable_after_a_trial_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    require_docker()
    assert main(["sandbox", "doctor", str(REPO / "problems" / "model_placement")]) == 0
    out = capsys.readouterr().out
    assert "ok       engine" in out and "ok       problem image  adrs-python:latest" in out
    assert "ok       trial run      a container ran the harness" in out
    assert out.rstrip().endswith("docker backend: usable")


def test_doctor_names_the_fix_for_a_missing_image(
    make_problem: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    require_docker()
    root = make_problem(toml=TOY_TOML.format(timeout=5) + '[sandbox]\nimage = "adrs-none:1"\n')
    assert main(["sandbox", "doctor", "--no-run", str(root)]) == 1
    out = capsys.readouterr().out
    assert "MISSING  problem image  adrs-none:1 missing" in out
    assert f"fix: adrs sandbox build {root}" in out


def test_build_makes_the_problem_image_from_a_local_base(
    make_problem: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    require_docker()
    from adrs.sandbox import engine
    from adrs.sandbox.images import OFFLINE_BASE

    tag = f"adrs-test-build:{secrets.token_hex(4)}"
    base = OFFLINE_BASE if engine.image_id(OFFLINE_BASE) else "adrs-python:latest"
    try:
        code = main(["sandbox", "build", str(make_problem()), "--base", base, "--tag", tag, "-q"])
        assert code == 0
        assert capsys.readouterr().out.startswith(f"built {tag} (sha256:")
        labels = engine.client().inspect_image(tag)["Config"]["Labels"]
        assert labels["org.adrs.image"] == "problem"
    finally:
        if engine.image_id(tag):
            engine.client().remove_image(tag, force=True)


def test_build_rejects_a_package_spec_with_shell_syntax(
    make_problem: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    toml = TOY_TOML.format(timeout=5) + '[sandbox]\npackages = ["numpy; rm -rf /"]\n'
    root = make_problem(toml=toml)
    assert main(["sandbox", "build", str(root)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"adrs: error: {root / 'problem.toml'}: [sandbox] packages: "
        "'numpy; rm -rf /' is not a package spec"
    )


def test_prune_removes_a_runs_containers(capsys: pytest.CaptureFixture[str]) -> None:
    require_docker()
    from adrs.sandbox import engine

    run_id = f"test-prune-{secrets.token_hex(4)}"
    api = engine.client()
    api.create_container(
        "adrs-python:latest",
        command=["true"],
        labels={
            engine.SANDBOX_LABEL: "docker",
            engine.OWNER_LABEL: engine.owner_id(),
            engine.RUN_LABEL: run_id,
        },
    )
    assert main(["sandbox", "prune", "--run", run_id]) == 0
    assert capsys.readouterr().out.startswith("removed 1 container(s)")
    assert api.containers(all=True, filters={"label": [f"{engine.RUN_LABEL}={run_id}"]}) == []
