"""How a sandbox container is created, and what the engine says it applied.

Pure functions of the job's limits: kept apart from the code that talks to the engine so
the lock-down can be read (and tested) in one place.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.types

import evaluators
from adrs.errors import AdrsError
from adrs.problem.spec import Limits
from adrs.sandbox import engine
from adrs.sandbox.workdir import HostDir

MIB = 1024 * 1024
HARNESS_DIR = "/opt/adrs/evaluators"
JOB_DIR = "/job"
SCRATCH_DIR = f"{JOB_DIR}/scratch"
BACKSTOP_MARGIN_S = 30  # the in-container `timeout` kills only if the host's deadline failed
EXTRA_PIDS = 2  # docker-init and `timeout` count against the pids limit too


@dataclass(frozen=True)
class Profile:
    """Everything a container is created with that a job decides: containers of one
    profile are interchangeable, so a pool can create them ahead of need."""

    image: str
    limits: Limits
    gpu: bool
    labels: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, image: str, limits: Limits, gpu: bool, labels: Mapping[str, str]) -> Profile:
        # The program id is known only when a job arrives: a pooled container carries it
        # in its name instead (labels cannot change after creation).
        shared = tuple(sorted((k, v) for k, v in labels.items() if k != engine.PROGRAM_LABEL))
        return cls(image, limits, gpu, shared)


def evaluators_dir() -> Path:
    return Path(evaluators.__file__).resolve().parent


def create_kwargs(
    profile: Profile, uid: int, hostdir: HostDir, cpus: float, labels: Mapping[str, str]
) -> dict[str, Any]:
    """Keyword arguments of ``APIClient.create_container`` for one locked-down container."""
    limits = profile.limits
    output_cap = int(limits.output_mb * MIB)
    disk = limits.disk_mb * MIB
    cpu_s = max(1, math.ceil(limits.effective_cpu_s))
    fsize = max(output_cap, disk) + 1
    ulimits = [
        docker.types.Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
        docker.types.Ulimit(name="fsize", soft=fsize, hard=fsize),
        docker.types.Ulimit(name="cpu", soft=cpu_s, hard=cpu_s),
        docker.types.Ulimit(name="core", soft=0, hard=0),
    ]
    tmpfs_opts = f"rw,nosuid,nodev,size={limits.disk_mb}m"
    mounts = [
        docker.types.Mount(JOB_DIR, str(hostdir.job), type="bind", read_only=True),
        docker.types.Mount(f"{JOB_DIR}/out", str(hostdir.out), type="bind", read_only=False),
        docker.types.Mount(HARNESS_DIR, str(evaluators_dir()), type="bind", read_only=True),
    ]
    device_requests = None
    if profile.gpu:
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        ids = [d for d in visible.split(",") if d] if visible else None
        count = None if ids else -1
        device_requests = [
            docker.types.DeviceRequest(count=count, device_ids=ids, capabilities=[["gpu"]])
        ]
    memory = f"{limits.memory_mb}m"
    host_config = engine.client().create_host_config(
        mounts=mounts,
        tmpfs={
            "/tmp": f"{tmpfs_opts},mode=1777",
            SCRATCH_DIR: f"{tmpfs_opts},uid={uid},gid={uid},mode=0700",
        },
        read_only=True,
        network_mode="none",
        mem_limit=memory,
        memswap_limit=memory,  # equal: no swap
        nano_cpus=int(cpus * 1e9),
        pids_limit=limits.processes + EXTRA_PIDS,
        ulimits=ulimits,
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        init=True,
        log_config=docker.types.LogConfig(type="none"),  # output is read live, never stored
        device_requests=device_requests,
    )
    backstop = math.ceil(limits.timeout_s) + BACKSTOP_MARGIN_S
    return {
        "image": profile.image,
        "command": [
            "timeout",
            "-s",
            "KILL",
            str(backstop),
            "python3",
            "-I",
            f"{HARNESS_DIR}/harness.py",
        ],
        "user": f"{uid}:{uid}",
        "working_dir": JOB_DIR,
        "environment": {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": SCRATCH_DIR,
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        },
        "stdin_open": True,
        # Not detached + stdin open: the engine sets StdinOnce, so closing our side of
        # the attach connection is the harness's end of input.
        "tty": False,
        "network_disabled": True,
        "labels": dict(labels),
        "host_config": host_config,
    }


def applied_limits(info: Mapping[str, Any], limits: Limits, cpus: float) -> dict[str, Any]:
    """The limits as the engine reports them after creation; raises when one that
    containment depends on was not applied."""
    hc = info["HostConfig"]
    ulimits = {u["Name"]: u["Hard"] for u in hc.get("Ulimits") or []}
    tmpfs = dict(hc.get("Tmpfs") or {})
    applied: dict[str, Any] = {
        "timeout_s": limits.timeout_s,
        "cpu_s": ulimits.get("cpu"),
        "memory_mb": (hc.get("Memory") or 0) // MIB,
        "memory_swap_mb": (hc.get("MemorySwap") or 0) // MIB,
        "cpus": (hc.get("NanoCpus") or 0) / 1e9,
        "processes": hc.get("PidsLimit"),
        "open_files": ulimits.get("nofile"),
        "file_size_bytes": ulimits.get("fsize"),
        "output_bytes": int(limits.output_mb * MIB),
        "log_bytes": limits.log_kb * 1024,
        "disk_mb": limits.disk_mb,
        "tmpfs": tmpfs,
        "read_only_root": bool(hc.get("ReadonlyRootfs")),
        "network": hc.get("NetworkMode"),
        "cap_drop": list(hc.get("CapDrop") or []),
        "security_opt": list(hc.get("SecurityOpt") or []),
        "init": bool(hc.get("Init")),
        "user": info["Config"].get("User"),
        "image": info["Config"].get("Image"),
        "image_id": info.get("Image"),
        "isolation": "docker container",
    }
    wanted = {
        "memory_mb": limits.memory_mb,
        "memory_swap_mb": limits.memory_mb,
        "processes": limits.processes + EXTRA_PIDS,
        "network": "none",
        "read_only_root": True,
        "open_files": limits.open_files,
    }
    for key, value in wanted.items():
        if applied[key] != value:
            raise AdrsError(
                f"docker: the engine did not apply {key}={value} (it reports {applied[key]!r}); "
                "refusing to run a candidate without it"
            )
    if abs(applied["cpus"] - cpus) > 1e-6:
        raise AdrsError(f"docker: the engine did not apply cpus={cpus}")
    return applied
