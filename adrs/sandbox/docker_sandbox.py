"""The docker backend: a fresh, locked-down container per evaluation.

Each run gets its own container (from the pool when one is ready, else created on the
spot): no network, read-only root, size-capped tmpfs for /tmp and the scratch folder,
memory limit equal to memory+swap, a CPU quota, a pids limit, nofile/fsize/cpu ulimits,
no capabilities, no-new-privileges, a numeric non-root user and an init process. The
job document goes in on stdin; the candidate, the harness and the case inputs are
mounted read-only; frames come back through one bounded file. A host-side deadline ends
in kill and remove, and the limits the engine applied are read back and recorded.
"""

from __future__ import annotations

import atexit
import contextlib
import random
import secrets
import signal
import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any

import docker.errors
import requests

from adrs.errors import AdrsError, NotAvailableError
from adrs.sandbox import engine, reaper
from adrs.sandbox.attach import AttachedStreams
from adrs.sandbox.base import SandboxJob, SandboxResult
from adrs.sandbox.container_spec import Profile, applied_limits, create_kwargs
from adrs.sandbox.pool import Slot, WarmPool
from adrs.sandbox.reaper import reap_orphans
from adrs.sandbox.workdir import OUTPUT_NAME, fill, make_hostdir, read_capped

LOG_LIMIT_FACTOR = 16  # as in the process backend: a stream may produce 16x its kept tail
UID_RANGE = (200_000, 265_535)
KILL_WAIT_S = 30.0
DOCKER_FAULTS = (docker.errors.DockerException, requests.RequestException)


def _exit_code(status: Mapping[str, Any]) -> int | None:
    code = status.get("StatusCode")
    if not isinstance(code, int):
        return None
    # docker-init exits 128+N when its child died of signal N: report it as -N.
    if 128 < code <= 128 + 64:
        return -(code - 128)
    return code


class DockerSandbox:
    """Runs the harness in a fresh container per job; see the module docstring."""

    name = "docker"

    def __init__(self, pool_size: int = 2, cpus: float = 1.0, reap: bool = True) -> None:
        why = engine.engine_error()
        if why is not None:
            raise NotAvailableError(f"docker sandbox: {why}")
        self.cpus = cpus
        self._orphans = reap_orphans() if reap else reaper.ReapReport()
        self.reaped = self._orphans.count
        self.pool = WarmPool(self._create, self._destroy, pool_size)
        self._live: set[str] = set()
        self._lock = threading.Lock()
        # Callers that never close (a one-off check) still leave no container behind.
        atexit.register(_close_at_exit, weakref.ref(self))

    # -- containers -------------------------------------------------------------------

    def _create(self, profile: Profile, labels: Mapping[str, str] | None = None) -> Slot:
        api = engine.client()
        uid = random.randint(*UID_RANGE)
        hostdir = make_hostdir()
        all_labels = {
            **dict(profile.labels),
            **dict(labels or {}),
            engine.SANDBOX_LABEL: "docker",
            engine.OWNER_LABEL: engine.owner_id(),
            engine.HOSTDIR_LABEL: str(hostdir.root),
        }
        try:
            kwargs = create_kwargs(profile, uid, hostdir, self.cpus, all_labels)
            created = api.create_container(**kwargs)
        except docker.errors.ImageNotFound as exc:
            hostdir.remove()
            raise NotAvailableError(
                f"docker sandbox: image {profile.image} is not present "
                "(build it: 'adrs sandbox build PROBLEM_DIR', see 'adrs sandbox doctor')"
            ) from exc
        except DOCKER_FAULTS as exc:
            hostdir.remove()
            raise AdrsError(f"docker sandbox: cannot create a container: {_line(exc)}") from exc
        cid = str(created["Id"])
        slot = Slot(cid, uid, hostdir, {}, profile, list(created.get("Warnings") or []))
        try:
            info = api.inspect_container(cid)
            slot.applied = applied_limits(info, profile.limits, self.cpus)
        except BaseException:
            self._destroy(slot)
            raise
        return slot

    def _destroy(self, slot: Slot) -> None:
        try:
            engine.client().remove_container(slot.container_id, force=True, v=True)
        except docker.errors.NotFound:
            pass
        finally:
            slot.hostdir.remove()

    def _kill_soon(self, container_id: str) -> None:
        # Called from the stream reader: the engine finishes a kill only once the output
        # is drained, so the reader must not wait for it.
        threading.Thread(target=self._kill, args=(container_id,), daemon=True).start()

    def _kill(self, container_id: str) -> None:
        with contextlib.suppress(*DOCKER_FAULTS):
            engine.client().kill(container_id)

    # -- running ----------------------------------------------------------------------

    def run(self, job: SandboxJob) -> SandboxResult:
        profile = Profile.of(job.image, job.limits, job.gpu, job.labels)
        slot = self.pool.take(profile)
        pooled = slot is not None
        if slot is None:
            slot = self._create(profile, job.labels)
        try:
            if pooled and engine.PROGRAM_LABEL in job.labels:
                self._name_after(slot, job.labels[engine.PROGRAM_LABEL])
            fill(slot.hostdir, job, slot.uid)
            result = self._execute(slot, job)
        finally:
            self.pool.discard(slot)
            self.pool.replenish(profile)
        result.applied["pooled"] = pooled
        result.applied["container"] = slot.container_id[:12]
        return result

    def _name_after(self, slot: Slot, program: str) -> None:
        safe = "".join(c if c.isalnum() or c in "_.-" else "-" for c in program)[:60]
        with contextlib.suppress(*DOCKER_FAULTS):
            engine.client().rename(slot.container_id, f"adrs-{safe}-{secrets.token_hex(3)}")

    def _execute(self, slot: Slot, job: SandboxJob) -> SandboxResult:
        api = engine.client()
        cid = slot.container_id
        applied = dict(slot.applied)
        keep = int(applied["log_bytes"])
        document = job.stdin(dict(job.job, output=OUTPUT_NAME))
        try:
            raw = api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        except DOCKER_FAULTS as exc:
            raise AdrsError(f"docker sandbox: cannot attach to {cid[:12]}: {_line(exc)}") from exc
        streams = AttachedStreams(
            getattr(raw, "_sock", raw),
            keep,
            keep * LOG_LIMIT_FACTOR,
            lambda _s: self._kill_soon(cid),
        )
        streams.start()
        with self._lock:
            self._live.add(cid)
        started = time.monotonic()
        try:
            try:
                api.start(cid)
            except DOCKER_FAULTS as exc:
                raise AdrsError(f"docker sandbox: cannot start {cid[:12]}: {_line(exc)}") from exc
            streams.send_input(document)
            status, timed_out = self._wait(cid, started + job.limits.timeout_s)
            finished = time.monotonic()
        finally:
            with self._lock:
                self._live.discard(cid)
        streams.join(timeout=5)
        info = _inspect(cid)
        state = info.get("State", {}) if info else {}
        output, truncated = read_capped(slot.hostdir.channel, int(applied["output_bytes"]))
        code = _exit_code(status)
        if (timed_out or streams.overflow) and code is None:
            code = -signal.SIGKILL
        return SandboxResult(
            backend=self.name,
            exit_code=code,
            started=started,
            finished=finished,
            output=output,
            output_truncated=truncated,
            stdout=streams.text("stdout"),
            stderr=streams.text("stderr"),
            log_overflow=streams.overflow,
            timed_out=timed_out,
            oom_killed=bool(state.get("OOMKilled")) and not timed_out,
            applied=applied,
            notes=list(slot.notes),
        )

    def _wait(self, cid: str, deadline: float) -> tuple[dict[str, Any], bool]:
        """Wait for the container to stop; past ``deadline`` kill it (the engine's own
        wait never kills). Returns the wait status and whether the deadline hit."""
        api = engine.client()
        remaining = deadline - time.monotonic()
        if remaining > 0:
            try:
                status: dict[str, Any] = api.wait(cid, timeout=remaining)
                return status, False
            except requests.RequestException:
                pass  # the request timed out: the deadline passed
            except docker.errors.DockerException as exc:
                raise AdrsError(f"docker sandbox: waiting for {cid[:12]}: {_line(exc)}") from exc
        self._kill(cid)
        try:
            status = api.wait(cid, timeout=KILL_WAIT_S)
        except DOCKER_FAULTS as exc:
            why = _line(exc)
            raise AdrsError(f"docker sandbox: {cid[:12]} did not stop when killed: {why}") from exc
        return status, True

    def reap(self, labels: Mapping[str, str]) -> int:
        """Remove every sandbox container on this engine carrying all of ``labels``
        (those of a Ray worker that died mid-evaluation, say); how many were removed.

        Those that this sandbox's start already removed as orphans (a dead worker's
        container is one) count too, once.
        """
        removed = reaper.reap(labels).count + self._orphans.matching(labels)
        self._orphans = reaper.ReapReport()
        return removed

    def close(self) -> None:
        """Kill running containers, remove every container this sandbox created."""
        with self._lock:
            live = list(self._live)
        for cid in live:
            self._kill(cid)
        self.pool.close()


def _close_at_exit(ref: weakref.ref[DockerSandbox]) -> None:
    sandbox = ref()
    if sandbox is not None:
        with contextlib.suppress(Exception):
            sandbox.close()


def _inspect(cid: str) -> dict[str, Any] | None:
    try:
        info: dict[str, Any] = engine.client().inspect_container(cid)
    except DOCKER_FAULTS:
        return None
    return info


def _line(exc: BaseException) -> str:
    return engine._first_line(exc)
