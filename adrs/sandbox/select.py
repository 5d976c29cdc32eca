"""Choosing and constructing sandbox backends by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from adrs.errors import NotAvailableError
from adrs.problem.loader import Problem
from adrs.sandbox.base import Sandbox
from adrs.sandbox.process import ProcessSandbox

# Backends register here; the docker backend adds itself when it is importable.
FACTORIES: dict[str, Callable[[], Sandbox]] = {"process": ProcessSandbox}


def _always(_problem: Problem | None) -> str | None:
    return None


# Variants for processes that serve many runs, where nothing may be held for an ended run.
SERVING_FACTORIES: dict[str, Callable[[], Sandbox]] = {}
# Returns None when the backend can serve the problem here, else why not.
PROBES: dict[str, Callable[[Problem | None], str | None]] = {"process": _always}


def _register_docker() -> None:
    from adrs.sandbox.docker_probe import docker_probe
    from adrs.sandbox.docker_sandbox import DockerSandbox

    FACTORIES["docker"] = DockerSandbox
    # A process that outlives runs (a Ray worker) holds no containers between evaluations.
    SERVING_FACTORIES["docker"] = lambda: DockerSandbox(pool_size=0)
    PROBES["docker"] = docker_probe


_register_docker()


def close_sandbox(sandbox: Sandbox) -> None:
    """Release what a backend holds (pooled containers, live children), if it holds any."""
    closer = getattr(sandbox, "close", None)
    if callable(closer):
        closer()


@contextmanager
def open_sandbox(name: str) -> Iterator[Sandbox]:
    """A backend for a bounded piece of work (a validation, a check), closed afterwards."""
    sandbox = make_sandbox(name)
    try:
        yield sandbox
    finally:
        close_sandbox(sandbox)


def make_sandbox(name: str, *, serving: bool = False) -> Sandbox:
    """A backend by name; ``serving`` for a long-lived worker that serves many runs."""
    factory = (SERVING_FACTORIES.get(name) if serving else None) or FACTORIES.get(name)
    if factory is None:
        raise NotAvailableError(f"sandbox backend '{name}' is not available yet in this build")
    return factory()


def choose_sandbox(requested: str, problem: Problem | None = None) -> tuple[str, str]:
    """The backend to use and why: ``auto`` prefers docker when it can serve the problem."""
    if requested != "auto":
        if requested not in FACTORIES:
            raise NotAvailableError(
                f"sandbox backend '{requested}' is not available yet in this build"
            )
        problem_reason = PROBES.get(requested, _always)(problem)
        if problem_reason is not None:
            raise NotAvailableError(f"sandbox backend '{requested}': {problem_reason}")
        return requested, "requested"
    if "docker" in FACTORIES:
        why_not = PROBES["docker"](problem)
        if why_not is None:
            return "docker", "auto: a Docker engine answers and the image exists"
        return "process", f"auto: docker unusable ({why_not})"
    return "process", "auto: no container backend in this build"
