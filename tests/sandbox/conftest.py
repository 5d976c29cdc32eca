"""Fixtures for the docker backend tests: a sandbox that is closed (and checked) after use."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.docker_env import require_docker


def run_containers(run_id: str) -> list[dict[str, Any]]:
    from adrs.sandbox import engine

    found: list[dict[str, Any]] = engine.client().containers(
        all=True, filters={"label": [f"{engine.RUN_LABEL}={run_id}"]}
    )
    return found


@pytest.fixture
def run_id() -> str:
    return f"test-{secrets.token_hex(4)}"


@pytest.fixture
def docker_sandbox(run_id: str) -> Iterator[Any]:
    """A pool-less docker sandbox; after the test, none of the run's containers remain."""
    require_docker()
    from adrs.sandbox.docker_sandbox import DockerSandbox

    sandbox = DockerSandbox(pool_size=0)
    try:
        yield sandbox
    finally:
        sandbox.close()
    assert run_containers(run_id) == []
