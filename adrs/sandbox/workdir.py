"""The host folder behind one sandbox container.

Layout (``root`` is one folder per container, under a folder per owning process)::

    root/job/            mounted read-only at /job (the container's working directory):
                         the job's files and trees, plus two empty mount points
    root/job/scratch/    mount point of a size-capped tmpfs, the candidate's HOME
    root/job/out/        mount point of root/out
    root/out/            mounted read-write at /job/out, but the folder itself is not
                         writable by the container's user: only the one channel file in it
                         is, and that file's size is bounded by the fsize ulimit
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from adrs.sandbox import engine
from adrs.sandbox.base import SandboxJob
from adrs.sandbox.reaper import HOSTDIR_PREFIX
from adrs.sandbox.trees import copy_readable

CHANNEL_NAME = "frames.jsonl"
OUTPUT_NAME = f"out/{CHANNEL_NAME}"  # relative to the container's working directory


def base_dir() -> Path:
    """Where host folders live (``ADRS_DOCKER_DIR`` overrides the system temp folder)."""
    return Path(os.environ.get("ADRS_DOCKER_DIR") or tempfile.gettempdir()) / HOSTDIR_PREFIX


def owner_dir() -> Path:
    return base_dir() / engine.owner_id().replace(":", "_")


@dataclass(frozen=True)
class HostDir:
    """The host side of one container's mounts."""

    root: Path

    @property
    def job(self) -> Path:
        return self.root / "job"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def channel(self) -> Path:
        return self.out / CHANNEL_NAME

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def make_hostdir() -> HostDir:
    """A fresh, empty host folder with the mount points in place."""
    parent = owner_dir()
    for folder in (base_dir(), parent):
        folder.mkdir(mode=0o755, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="c-", dir=parent))
    hostdir = HostDir(root)
    for folder in (hostdir.job, hostdir.job / "scratch", hostdir.job / "out", hostdir.out):
        folder.mkdir(mode=0o755, exist_ok=True)
    # mkdtemp and mkdir honour the umask: set modes explicitly so the container's
    # unprivileged user can traverse and read, and nothing more.
    for folder in (root, hostdir.job, hostdir.job / "scratch", hostdir.job / "out", hostdir.out):
        folder.chmod(0o755)
    return hostdir


def fill(hostdir: HostDir, job: SandboxJob, uid: int) -> None:
    """Write the job's files and trees (read-only to the container) and the channel file."""
    for rel, data in job.files.items():
        path = hostdir.job / rel
        _check_inside(hostdir.job, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o644)
    for rel, tree in job.trees.items():
        target = hostdir.job / rel
        _check_inside(hostdir.job, target)
        copy_readable(tree, target)
    for dirpath, dirnames, _ in os.walk(hostdir.job):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
    channel = hostdir.channel
    channel.touch()
    if os.geteuid() == 0:
        os.chown(channel, uid, uid)
        channel.chmod(0o600)
    else:
        # Without root we cannot hand the file to the container's uid: let anyone write it.
        channel.chmod(0o666)


def read_capped(path: Path, cap: int) -> tuple[bytes, bool]:
    """At most ``cap`` bytes of ``path``, and whether there was more."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except FileNotFoundError:
        return b"", False
    if len(data) > cap:
        return data[:cap], True
    return data, False


def _check_inside(root: Path, path: Path) -> None:
    if not path.resolve().is_relative_to(root.resolve()):
        raise ValueError(f"sandbox file {path} would land outside the job folder")
