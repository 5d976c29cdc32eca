"""Reaching the Docker engine, and the labels that mark every container ADRS starts.

Every sandbox container carries ``adrs.sandbox=docker`` and ``adrs.owner``, the identity of
the host process that created it (host name, pid and that pid's start time, so a recycled
pid is not mistaken for the owner). The reaper uses them to tell a live run's containers
from those a killed run left behind.
"""

from __future__ import annotations

import functools
import os
import socket
import threading
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests

from adrs.errors import NotAvailableError

SANDBOX_LABEL = "adrs.sandbox"
OWNER_LABEL = "adrs.owner"
HOSTDIR_LABEL = "adrs.hostdir"
PROGRAM_LABEL = "adrs.program"
RUN_LABEL = "adrs.run"
API_TIMEOUT_S = 30.0
PROBE_TIMEOUT_S = 5.0

_local = threading.local()


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (clock ticks since boot), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


@functools.cache
def owner_id() -> str:
    """This process's owner label value: ``host:pid:start``."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{process_start_time(pid) or '?'}"


def owner_alive(owner: str) -> bool | None:
    """True or False for an owner on this host; None when it belongs to another host."""
    host, _, rest = owner.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    return process_start_time(int(pid_text)) == start


def client(timeout: float = API_TIMEOUT_S) -> Any:
    """A low-level API client for this thread (requests sessions are not shared across
    threads), configured from the environment like the docker command line."""
    key = f"client_{timeout}"
    api = getattr(_local, key, None)
    if api is None:
        api = docker.APIClient(
            **docker.utils.kwargs_from_env(), version="auto", timeout=int(timeout)
        )
        setattr(_local, key, api)
    return api


def engine_error() -> str | None:
    """None when a Docker engine answers, else a one-line reason."""
    try:
        client(PROBE_TIMEOUT_S).ping()
    except docker.errors.DockerException as exc:
        return f"no Docker engine answers ({_first_line(exc)})"
    except requests.RequestException as exc:
        return f"no Docker engine answers ({_first_line(exc)})"
    return None


def image_id(name: str) -> str | None:
    """The id of a local image, or None when the engine does not hold it."""
    try:
        info = client(PROBE_TIMEOUT_S).inspect_image(name)
    except docker.errors.ImageNotFound:
        return None
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise NotAvailableError(f"docker: cannot inspect image {name}: {_first_line(exc)}") from exc
    return str(info["Id"])


def gpu_error() -> str | None:
    """None when the engine can hand GPUs to containers (the NVIDIA runtime is installed),
    else a one-line reason."""
    try:
        runtimes = client(PROBE_TIMEOUT_S).info().get("Runtimes") or {}
    except (docker.errors.DockerException, requests.RequestException) as exc:
        return f"cannot ask the Docker engine about GPUs ({_first_line(exc)})"
    if "nvidia" not in runtimes:
        return "the Docker engine has no NVIDIA runtime (nvidia-container-toolkit) for GPUs"
    return None


def engine_version() -> str:
    info = client(PROBE_TIMEOUT_S).version()
    return f"{info.get('Version', '?')} (API {info.get('ApiVersion', '?')})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
