"""Removing sandbox containers by label, and those whose owning process is gone.

``reap(labels)`` is the building block others call (an executor cleaning up after a lost
worker passes ``{"adrs.run": RUN_ID}`` or ``{"adrs.owner": OWNER}``); ``reap_orphans()``
runs when a Docker sandbox starts and from ``adrs sandbox prune``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker.errors
import requests

from adrs.sandbox import engine

HOSTDIR_PREFIX = "adrs-docker"  # only host folders under a directory of this name are removed


@dataclass
class ReapReport:
    """What a reaping pass removed."""

    containers: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    labels: list[dict[str, str]] = field(default_factory=list)  # of each removed container

    @property
    def count(self) -> int:
        return len(self.containers)

    def matching(self, labels: Mapping[str, str]) -> int:
        """How many of the removed containers carried all of ``labels``."""
        wanted = labels.items()
        return sum(1 for found in self.labels if wanted <= found.items())


def _listing(labels: Mapping[str, str]) -> list[dict[str, Any]]:
    filters = [engine.SANDBOX_LABEL] + [f"{k}={v}" for k, v in sorted(labels.items())]
    found: list[dict[str, Any]] = engine.client().containers(all=True, filters={"label": filters})
    return found


def _remove_folder(path_text: str | None, report: ReapReport) -> None:
    if not path_text:
        return
    path = Path(path_text)
    # A label is data a container was created with: never follow it outside our folders.
    if HOSTDIR_PREFIX not in path.parts[:-1] or not path.is_absolute():
        return
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
        report.folders.append(str(path))


def _reap(
    labels: Mapping[str, str], keep: Callable[[Mapping[str, str]], bool] | None
) -> ReapReport:
    report = ReapReport()
    api = engine.client()
    for item in _listing(labels):
        item_labels: Mapping[str, str] = item.get("Labels") or {}
        if keep is not None and keep(item_labels):
            continue
        cid = str(item["Id"])
        try:
            api.remove_container(cid, force=True, v=True)
        except docker.errors.NotFound:
            pass
        except (docker.errors.DockerException, requests.RequestException) as exc:
            report.errors.append(f"{cid[:12]}: {engine._first_line(exc)}")
            continue
        report.containers.append(cid)
        report.labels.append(dict(item_labels))
        _remove_folder(item_labels.get(engine.HOSTDIR_LABEL), report)
    return report


def reap(labels: Mapping[str, str]) -> ReapReport:
    """Remove every sandbox container carrying all of ``labels`` (running or not)."""
    return _reap(labels, keep=None)


def reap_orphans() -> ReapReport:
    """Remove sandbox containers whose owning process on this host no longer runs.

    Containers owned by live processes, or by processes on other hosts sharing the
    engine, are kept.
    """

    def keep(labels: Mapping[str, str]) -> bool:
        alive = engine.owner_alive(labels.get(engine.OWNER_LABEL, ""))
        return alive is None or alive

    report = _reap({}, keep=keep)
    _sweep_folders(report)
    return report


def _sweep_folders(report: ReapReport) -> None:
    """Remove host folders of dead owners that no container references any more."""
    from adrs.sandbox.workdir import base_dir

    root = base_dir()
    if not root.is_dir():
        return
    for owner_dir in root.iterdir():
        host, _, rest = owner_dir.name.rpartition("_")
        host, _, pid = host.rpartition("_")
        alive = engine.owner_alive(f"{host}:{pid}:{rest}")
        if alive is False:
            shutil.rmtree(owner_dir, ignore_errors=True)
            report.folders.append(str(owner_dir))
