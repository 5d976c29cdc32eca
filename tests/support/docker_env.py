"""Whether the docker backend can run here: an engine answers and the default image exists."""

from __future__ import annotations

import functools

from tests.support.require import require


@functools.cache
def docker_unavailable() -> str | None:
    """None when the docker backend is usable, else why not."""
    try:
        from adrs.sandbox.docker_probe import docker_probe
    except ImportError as exc:  # the docker SDK is not installed
        return f"docker SDK missing: {exc}"
    return docker_probe(None)


def require_docker() -> None:
    """Skip (fail under CI=true) when the docker backend cannot run here."""
    why = docker_unavailable()
    require(why is None, f"docker sandbox unavailable: {why} (see 'adrs sandbox doctor')")
