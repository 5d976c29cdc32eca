"""Getting a Ray to run on: the embedded local one, started here, or a cluster joined by address.

The embedded Ray is sized for a small machine (no dashboard, a small object store) and
listens on loopback only. It is started once per process and kept for later runs in the
same process (a notebook, a test session); Ray ends it when the process exits.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import Any

from adrs.errors import NotAvailableError

SANDBOX_RESOURCE = "sandbox"  # a node runs no more sandboxes at once than it declares
LOCAL_OBJECT_STORE_MB = 128
PROBE_TIMEOUT_S = 5.0
_lock = threading.Lock()


@dataclass
class RaySession:
    """What this process is connected to."""

    address: str | None  # None: the embedded Ray started by this process
    started_here: bool
    sandboxes: float  # the cluster's total `sandbox` resource when connected
    gpus: float

    def describe(self) -> str:
        where = "embedded local Ray" if self.address is None else f"Ray cluster at {self.address}"
        return f"{where} ({self.sandboxes:g} sandbox slots, {self.gpus:g} GPUs)"


_current: RaySession | None = None


def _probe(address: str) -> None:
    """Fail fast, in one line, on an address where nothing listens (Ray itself retries
    for minutes)."""
    if address == "auto" or "://" in address:
        return
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise NotAvailableError(f"--ray-address {address!r}: expected HOST:PORT of a Ray head node")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_TIMEOUT_S):
            pass
    except OSError as exc:
        raise NotAvailableError(
            f"cannot reach the Ray head node at {address}: {exc.strerror or exc} "
            "(is `ray start --head` running there?)"
        ) from None


def _prepare_environment(local: bool) -> None:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reporting over the network
    if local:
        # A single-machine Ray needs no address that other machines can reach; without this
        # Ray binds to the host's outward-facing IP. Read once, when Ray is first imported.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def _start_local(ray: Any, slots: int) -> None:
    ray.init(
        address="local",
        num_cpus=max(os.cpu_count() or 1, slots),
        resources={SANDBOX_RESOURCE: slots},
        object_store_memory=LOCAL_OBJECT_STORE_MB * 1024 * 1024,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )


def _join(ray: Any, address: str) -> None:
    try:
        ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotAvailableError(f"cannot join the Ray cluster at {address}: {first}") from None


def connect(address: str | None, slots: int) -> RaySession:
    """Join ``address``, or start (or reuse) the embedded Ray with room for ``slots``."""
    global _current
    with _lock:
        if address is not None:
            _probe(address)  # before leaving any Ray this process is connected to
        _prepare_environment(address is None)
        import ray

        if ray.is_initialized():
            current = _current
            if current is None:
                # Someone in this process (a notebook, a script) started Ray: use theirs.
                _current = _describe(ray, address="(already initialised)", started_here=False)
                return _check(ray, _current)
            if not current.started_here:
                return current  # not ours to replace
            if current.address == address and (address is not None or current.sandboxes >= slots):
                return current
            ray.shutdown()
            _current = None
        if address is None:
            _start_local(ray, slots)
        else:
            _join(ray, address)
        session = _describe(ray, address=address, started_here=True)
        try:
            _check(ray, session)
        except NotAvailableError:
            ray.shutdown()
            raise
        _current = session
        return session


def _describe(ray: Any, *, address: str | None, started_here: bool) -> RaySession:
    resources = ray.cluster_resources()
    return RaySession(
        address=address,
        started_here=started_here,
        sandboxes=float(resources.get(SANDBOX_RESOURCE, 0)),
        gpus=float(resources.get("GPU", 0)),
    )


def _check(ray: Any, session: RaySession) -> RaySession:
    if session.sandboxes < 1:
        raise NotAvailableError(
            f"the Ray cluster at {session.address} declares no '{SANDBOX_RESOURCE}' resource: "
            f"start each node with `ray start ... --resources='{{\"{SANDBOX_RESOURCE}\": N}}'`, "
            "N being how many sandboxes it may run at once"
        )
    return session


def shutdown() -> None:
    """End this process's connection to Ray (and the embedded Ray, if it started one)."""
    global _current
    with _lock:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        _current = None
