"""Looking at processes from the outside: sandboxes by their marker, parents, waiting."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

PROC = Path("/proc")


def environ(pid: int) -> list[bytes]:
    with contextlib.suppress(OSError):
        return (PROC / str(pid) / "environ").read_bytes().split(b"\0")
    return []


def sandbox_processes() -> dict[int, str]:
    """Every live process of a process-backend sandbox: pid -> its sandbox marker."""
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            for item in environ(int(entry.name)):
                if item.startswith(b"ADRS_SANDBOX_ID="):
                    found[int(entry.name)] = item.split(b"=", 1)[1].decode()
    return found


def parent(pid: int) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = (PROC / str(pid) / "stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    return None


def cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return ""


def alive(pid: int) -> bool:
    with contextlib.suppress(OSError):
        state = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return False


def wait_for(predicate: Callable[[], object], timeout: float, step: float = 0.05) -> bool:
    """Poll ``predicate`` until it is truthy or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def descendants(root: int) -> set[int]:
    """Every live process below ``root`` in the process tree."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            ppid = parent(int(entry.name))
            if ppid is not None:
                children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found
