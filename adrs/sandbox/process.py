"""The process backend: a child process under rlimits, in its own session and namespaces.

Weaker than a container and honest about it: the filesystem is visible (read-only where
permissions allow), disk use is bounded per file rather than in total. Where the kernel
allows it, the child gets its own network namespace (no network) and PID namespace (when
its first process ends, every process it started ends too, even ones that called
``setsid``). Run as root, the candidate runs under a fresh unprivileged uid, so that the
process limit counts only its own processes.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

import evaluators
from adrs.sandbox.base import SandboxJob, SandboxResult
from adrs.sandbox.fsview import default_hidden, needed_paths, view_script, world_traversable
from adrs.sandbox.trees import copy_readable

HARNESS = Path(evaluators.__file__).resolve().parent / "harness.py"
OUTPUT_NAME = "out/frames.jsonl"
LOG_LIMIT_FACTOR = 16  # a stream may produce this many times its kept tail before it is cut
SANDBOX_UID_RANGE = (200_000, 265_535)
MIB = 1024 * 1024
SETUP_FAILED = 97  # exit code of the namespace's shell when building the view failed


def wait_exit(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether ``proc`` ended within ``timeout`` seconds, without reaping it.

    ``Popen.wait(timeout)`` polls every 50 ms, which added up to 50 ms to every
    evaluation; a pidfd becomes readable the moment the process exits."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # no pidfds here, or the process is already reaped
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    return bool(ready)


class SandboxSetupError(RuntimeError):
    """The sandbox itself could not be set up: an infrastructure fault, not the candidate's."""


@functools.cache
def namespace_prefix() -> tuple[tuple[str, ...], str]:
    """The ``unshare`` prefix that works here, and a description of what it isolates.

    Preferred: mount+net+pid namespaces (a private filesystem view, no network, nothing
    outlives the run); then without the mount namespace; as a normal user, inside a user
    namespace. Each is probed once by really using it.
    """
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return (), "none (no unshare)"
    tries: list[tuple[tuple[str, ...], str]] = []
    base = ("--net", "--pid", "--fork", "--kill-child")
    user = () if os.geteuid() == 0 else ("--user", "--map-root-user")
    label = "" if os.geteuid() == 0 else "user+"
    if shutil.which("mount"):
        tries.append(((unshare, *user, "--mount", *base), f"{label}mount+net+pid namespaces"))
    tries.append(((unshare, *user, *base), f"{label}net+pid namespaces"))
    probe_dir = tempfile.mkdtemp(prefix="adrs-probe-")
    try:
        for prefix, what in tries:
            probe = ["true"]
            if "--mount" in prefix:
                probe = ["mount", "-t", "tmpfs", "-o", "size=16k", "adrs-probe", probe_dir]
            try:
                subprocess.run([*prefix, *probe], capture_output=True, timeout=10, check=True)
            except (OSError, subprocess.SubprocessError):
                continue
            return prefix, what
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    return (), "none (namespaces not permitted)"


@functools.cache
def parent_death_prefix() -> tuple[str, ...]:
    """``setpriv --pdeathsig KILL`` where it works: the sandbox's first process is killed
    when the thread that started it dies (a Ray worker killed mid-evaluation), and with
    it, through the PID namespace, everything the candidate started."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or not sys.platform.startswith("linux"):
        return ()
    prefix = (setpriv, "--pdeathsig", "KILL")
    try:
        subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return ()
    return prefix


class _Tail(threading.Thread):
    """Drains a pipe, keeps its last ``keep`` bytes and reports when ``limit`` is passed."""

    def __init__(self, stream: IO[bytes], keep: int, limit: int, on_overflow: Any) -> None:
        super().__init__(daemon=True)
        self.stream, self.keep, self.limit = stream, keep, limit
        self.on_overflow = on_overflow
        self.buffer = bytearray()
        self.total = 0
        self.overflowed = False

    def run(self) -> None:
        while True:
            chunk = self.stream.read1(65536) if hasattr(self.stream, "read1") else b""
            if not chunk:
                break
            self.total += len(chunk)
            self.buffer += chunk
            if len(self.buffer) > 2 * self.keep:
                del self.buffer[: len(self.buffer) - self.keep]
            if self.total > self.limit and not self.overflowed:
                self.overflowed = True
                self.on_overflow()
        self.stream.close()

    def text(self) -> str:
        return bytes(self.buffer[-self.keep :]).decode("utf-8", errors="replace")


def _own_process_count() -> int:
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += 1
    return count


def sweep_marked(marker: str) -> int:
    """Kill every process whose environment carries ``ADRS_SANDBOX_ID=marker``."""
    needle = f"ADRS_SANDBOX_ID={marker}".encode()
    killed = 0
    proc = Path("/proc")
    if not proc.is_dir():
        return 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in env.split(b"\0"):
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
    return killed


class ProcessSandbox:
    """Runs the harness as a confined child process of this host."""

    name = "process"

    def __init__(self, python: str | None = None, base_dir: Path | None = None) -> None:
        self.python = python or sys.executable
        self.base_dir = base_dir or Path(tempfile.gettempdir()) / "adrs-sandbox"
        self._live: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def close(self) -> None:
        """Kill every sandbox still running (an interrupted run leaves none behind)."""
        with self._lock:
            live = list(self._live)
        for proc in live:
            _kill_group(proc.pid)

    def _prepare(self, job: SandboxJob, workdir: Path, uid: int | None) -> None:
        os.chmod(workdir, 0o755)
        for rel, data in job.files.items():
            path = workdir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.chmod(0o644)
        for rel, tree in job.trees.items():
            copy_readable(tree, workdir / rel)
        (workdir / "out").mkdir(mode=0o700)
        scratch = workdir / "scratch"
        scratch.mkdir(mode=0o700)
        if uid is not None:
            os.chown(scratch, uid, uid)

    def run(self, job: SandboxJob) -> SandboxResult:
        limits = job.limits
        self.base_dir.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=self.base_dir))
        marker = workdir.name
        as_root = os.geteuid() == 0
        prefix, isolation = namespace_prefix()
        # A fresh uid needs the interpreter readable by it: through the mount namespace's
        # view, or because nothing on the way is private. Otherwise stay root (and say so).
        can_drop = "--mount" in prefix or all(world_traversable(p) for p in needed_paths())
        uid = random.randint(*SANDBOX_UID_RANGE) if as_root and can_drop else None
        try:
            self._prepare(job, workdir, uid)
            output_cap = int(limits.output_mb * MIB)
            nproc = limits.processes if as_root else _own_process_count() + limits.processes
            confine: dict[str, Any] = {
                "rlimits": {
                    "as": limits.memory_mb * MIB,
                    "cpu": max(1, int(limits.effective_cpu_s + 0.999)),
                    "fsize": max(output_cap, limits.disk_mb * MIB) + 1,
                    "nofile": limits.open_files,
                    "nproc": nproc,
                    "core": 0,
                },
                "user": uid,
            }
            if job.gpu:
                # The CUDA driver reserves far more virtual address space than it uses,
                # so an address-space limit makes every CUDA call fail: GPU jobs run
                # without one (the memory limit is then not enforced by this backend).
                del confine["rlimits"]["as"]
            document = job.stdin(dict(job.job, output=OUTPUT_NAME, confine=confine))
            env = {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "HOME": str(workdir / "scratch"),
                "TMPDIR": str(workdir / "scratch"),
                "LANG": "C.UTF-8",
                "PYTHONDONTWRITEBYTECODE": "1",
                "OMP_NUM_THREADS": "1",
                "OPENBLAS_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
                "ADRS_SANDBOX_ID": marker,
            }
            if job.gpu and "CUDA_VISIBLE_DEVICES" in os.environ:
                env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
            argv = [self.python, "-I", str(HARNESS)]
            hidden: list[str] = []
            if prefix:
                # A shell as the namespace's first process, so the harness is not PID 1
                # (which would ignore default-action signals such as SIGXCPU); with a
                # mount namespace it first builds the filesystem view.
                lines = []
                if "--mount" in prefix:
                    covered = [*default_hidden(), *job.hidden]
                    view = view_script(workdir, covered, needed_paths())
                    lines += [f"{line} || exit {SETUP_FAILED}" for line in view]
                    hidden = sorted({str(p) for p in covered})
                lines.append('"$@"; exit $?')
                argv = [*prefix, "/bin/sh", "-c", "\n".join(lines), "adrs-sandbox", *argv]
            argv = [*parent_death_prefix(), *argv]
            applied = {
                "timeout_s": limits.timeout_s,
                "cpu_s": confine["rlimits"]["cpu"],
                "memory_mb": limits.memory_mb,
                "memory_enforced": not job.gpu,
                "output_bytes": output_cap,
                "log_bytes": limits.log_kb * 1024,
                "file_size_bytes": confine["rlimits"]["fsize"],
                "open_files": limits.open_files,
                "processes": limits.processes,
                "isolation": isolation,
                "network": "none" if prefix else "host",
                "hidden_paths": hidden,
                "user": uid if uid is not None else os.getuid(),
                "user_note": ""
                if uid is not None or not as_root
                else (
                    "stayed root: the interpreter is not readable by another uid and no "
                    "mount namespace is available to expose it (process limit not enforced)"
                ),
            }
            return self._launch(argv, env, workdir, document, applied, marker, bool(prefix))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _launch(
        self,
        argv: list[str],
        env: dict[str, str],
        workdir: Path,
        document: bytes,  # the harness's whole stdin
        applied: dict[str, Any],
        marker: str,
        namespaced: bool,
    ) -> SandboxResult:
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env=env,
            start_new_session=True,
        )
        with self._lock:
            self._live.add(proc)
        try:
            return self._supervise(proc, workdir, document, applied, marker, namespaced, started)
        finally:
            with self._lock:
                self._live.discard(proc)

    def _supervise(
        self,
        proc: subprocess.Popen[bytes],
        workdir: Path,
        document: bytes,
        applied: dict[str, Any],
        marker: str,
        namespaced: bool,
        started: float,
    ) -> SandboxResult:
        output_cap = int(applied["output_bytes"])
        keep = int(applied["log_bytes"])
        overflow: list[str] = []

        def cut(stream: str) -> None:
            overflow.append(stream)
            _kill_group(proc.pid)

        assert proc.stdout is not None and proc.stderr is not None
        tails = [
            _Tail(proc.stdout, keep, keep * LOG_LIMIT_FACTOR, lambda: cut("stdout")),
            _Tail(proc.stderr, keep, keep * LOG_LIMIT_FACTOR, lambda: cut("stderr")),
        ]
        for t in tails:
            t.start()
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError, OSError):
            proc.stdin.write(document)
            proc.stdin.close()
        timed_out = not wait_exit(proc, applied["timeout_s"])
        _kill_group(proc.pid)
        code = proc.wait()
        finished = time.monotonic()
        if not namespaced:
            sweep_marked(marker)
        for t in tails:
            t.join(timeout=5)
        if namespaced and code > 128:
            code = -(code - 128)
        if namespaced and code == SETUP_FAILED and not timed_out:
            raise SandboxSetupError(f"sandbox set-up failed: {tails[1].text()[-500:].strip()}")
        output, truncated = _read_capped(workdir / OUTPUT_NAME, output_cap)
        return SandboxResult(
            backend=self.name,
            exit_code=code,
            started=started,
            finished=finished,
            output=output,
            output_truncated=truncated,
            stdout=tails[0].text(),
            stderr=tails[1].text(),
            log_overflow=overflow[0] if overflow else None,
            timed_out=timed_out,
            applied=applied,
        )


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _read_capped(path: Path, cap: int) -> tuple[bytes, bool]:
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except FileNotFoundError:
        return b"", False
    if len(data) > cap:
        return data[:cap], True
    return data, False
