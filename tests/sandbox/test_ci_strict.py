"""Under CI=true a docker test that would skip fails instead (it runs for real in CI)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKER_TEST = "tests/sandbox/test_select_docker.py::test_auto_prefers_docker_when_the_image_exists"


def pytest_without_docker(ci: str) -> subprocess.CompletedProcess[str]:
    """Run one docker test in a child pytest whose Docker engine does not answer."""
    env = {**os.environ, "CI": ci, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    argv = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", DOCKER_TEST]
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 failed"), ("", "1 skipped")])
def test_a_docker_test_without_an_engine_fails_under_ci_and_skips_elsewhere(
    ci: str, outcome: str
) -> None:
    done = pytest_without_docker(ci)
    assert outcome in done.stdout, done.stdout[-2000:]
    assert "docker sandbox unavailable: no Docker engine answers" in done.stdout
    if ci:
        assert done.returncode == 1 and "required under CI=true" in done.stdout
