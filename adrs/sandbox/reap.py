"""Removing sandboxes whose supervisor died: the optional ``reap`` of a sandbox backend.

A sandbox is normally ended by the process that started it. When that process is killed
(a Ray worker lost mid-evaluation, a driver killed with SIGKILL), a backend whose sandboxes
can outlive it (containers, owned by the Docker daemon) offers ``reap(labels)``, which
removes every sandbox on this host carrying all of those labels. Backends whose sandboxes
die with their supervisor (the process backend) need not offer it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from adrs.sandbox.base import Sandbox
from adrs.sandbox.select import FACTORIES, close_sandbox, make_sandbox

RUN_LABEL = "adrs.run"
PROGRAM_LABEL = "adrs.program"


@runtime_checkable
class Reapable(Protocol):
    """A backend that can find and remove its orphaned sandboxes by label."""

    def reap(self, labels: Mapping[str, str]) -> int:
        """Kill and remove every sandbox on this host that carries all of ``labels``;
        return how many were removed."""
        ...


def can_reap(sandbox: Sandbox) -> bool:
    return isinstance(sandbox, Reapable)


def reap_here(backend: str, labels: Mapping[str, str]) -> int:
    """Reap ``backend``'s sandboxes labelled ``labels`` on this host (0 when it cannot)."""
    if not backend_can_reap(backend):
        return 0
    sandbox = make_sandbox(backend, serving=True)  # holds nothing beyond this call
    try:
        return sandbox.reap(labels) if isinstance(sandbox, Reapable) else 0
    finally:
        close_sandbox(sandbox)


def backend_can_reap(backend: str) -> bool:
    """Whether the backend offers ``reap``, decided without constructing it."""
    factory = FACTORIES.get(backend)
    return factory is not None and callable(getattr(factory, "reap", None))
