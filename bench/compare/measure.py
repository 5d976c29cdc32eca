"""Watching one system's run from outside: its process tree's memory and CPU, the stub's
request log, and what overlapped with what."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds, start time) of a live process."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            return None
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(fields[19])
    return None


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (containers included) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / TICK


def _rss(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((PROC / str(pid) / "statm").read_text().split()[1]) * PAGE
    return 0


@dataclass
class TreeWatch:
    """Samples a process and all its descendants until stopped."""

    root: int
    interval_s: float = 0.2
    peak_rss: int = 0
    cpu: dict[tuple[int, int], float] = field(default_factory=dict)  # (pid, start) -> s
    # (wall clock, the tree's CPU seconds so far, the whole machine's busy CPU seconds)
    timeline: list[tuple[float, float, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> TreeWatch:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def members(self) -> dict[int, tuple[float, int]]:
        """pid -> (CPU seconds, start time) of the root and its live descendants."""
        stats = {}
        for entry in PROC.iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None:
                    stats[int(entry.name)] = stat
        tree = {self.root} if self.root in stats else set()
        grew = True
        while grew:
            grew = False
            for pid, (ppid, _, _) in stats.items():
                if ppid in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return {pid: (stats[pid][1], stats[pid][2]) for pid in tree}

    def _loop(self) -> None:
        while not self._stop.is_set():
            members = self.members()
            self.peak_rss = max(self.peak_rss, sum(_rss(pid) for pid in members))
            for pid, (cpu, start) in members.items():
                self.cpu[(pid, start)] = cpu
            self.timeline.append((time.time(), self.cpu_s, machine_busy_s()))
            self._stop.wait(self.interval_s)

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu.values())

    def survivors(self) -> list[int]:
        """Processes seen in the tree that still live (reparented after the root ended)."""
        alive = []
        for pid, start in self.cpu:
            stat = _stat(pid)
            if pid != self.root and stat is not None and stat[2] == start:
                alive.append(pid)
        return alive


def run_watched(
    argv: list[str], log: Path, *, preexec: object = None
) -> tuple[int, TreeWatch, float]:
    """Run ``argv`` to completion with its output in ``log``; its tree watched throughout."""
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec,  # type: ignore[arg-type]
        )
        watch = TreeWatch(proc.pid).start()
        code = proc.wait()
        elapsed = time.perf_counter() - started
    time.sleep(1.0)  # what a run leaves behind has had time to go, or not
    watch.stop()
    return code, watch, elapsed


@dataclass
class Stub:
    """The stub model server in its own process."""

    python: str
    script: Path
    latency_s: float
    log: Path
    port: int = 0
    hang_at: int = -1
    hog_at: int = -1
    proc: subprocess.Popen[str] | None = None
    url: str = ""

    def __enter__(self) -> Stub:
        argv = [self.python, str(self.script), "--latency", str(self.latency_s)]
        argv += ["--log", str(self.log), "--port", str(self.port)]
        argv += ["--hang-at", str(self.hang_at), "--hog-at", str(self.hog_at)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            raise RuntimeError(f"the stub did not start: {self.url!r}")
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def requests(self) -> list[dict[str, float]]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return sorted((json.loads(line) for line in lines), key=lambda r: r["turn"])


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def covered(interval: tuple[float, float], spans: Iterable[tuple[float, float]]) -> float:
    """How much of ``interval`` the union of ``spans`` covers, in seconds."""
    a, b = interval
    total, reach = 0.0, a
    for s, e in sorted(spans):
        s, e = max(s, reach), min(e, b)
        if e > s:
            total += e - s
            reach = e
    return total


def overlap(intervals: list[list[float]], requests: list[dict[str, float]]) -> tuple[int, float]:
    """Evaluations that ran mostly while a model call was in flight, and the share of all
    evaluation time that did."""
    spans = [(r["t0"], r["t1"]) for r in requests]
    busy = [covered((a, b), spans) for a, b in intervals]
    total = sum(b - a for a, b in intervals)
    mostly = sum(1 for (a, b), c in zip(intervals, busy, strict=True) if c >= 0.5 * (b - a))
    return mostly, (sum(busy) / total if total > 0 else 0.0)


def search_span(intervals: list[list[float]], requests: list[dict[str, float]]) -> float:
    """From the first model call to the last call or evaluation: the search without the
    systems' start-up and shut-down."""
    if not requests:
        return 0.0
    first = min(r["t0"] for r in requests)
    last = max([r["t1"] for r in requests] + [b for _, b in intervals])
    return last - first


def cores_in(
    timeline: list[tuple[float, float, float]], start: float, end: float, *, machine: bool
) -> float | None:
    """CPU in use between two wall-clock times, in cores: the tree's, or the whole
    machine's (None: a window too short to tell)."""
    inside = [t for t in timeline if start <= t[0] <= end]
    if len(inside) < 2 or inside[-1][0] - inside[0][0] < 3.0:
        return None
    column = 2 if machine else 1
    return (inside[-1][column] - inside[0][column]) / (inside[-1][0] - inside[0][0])
