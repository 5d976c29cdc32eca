"""A small pool of containers created ahead of need and started on demand.

A container is never reused: each one serves exactly one evaluation and is then removed
(state left by one candidate must not reach the next, nor enable cached answers). What
the pool saves is the creation round trip and the host folder setup, done in the
background while the previous evaluation runs. Removal is also done in the background.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from adrs.sandbox.container_spec import Profile
from adrs.sandbox.workdir import HostDir

MAX_PROFILES = 2  # ready containers are kept for the most recently used profiles only


@dataclass
class Slot:
    """One created (never started) container and its host folder."""

    container_id: str
    uid: int
    hostdir: HostDir
    applied: dict[str, Any]
    profile: Profile
    notes: list[str] = field(default_factory=list)


class WarmPool:
    """Keeps up to ``size`` created containers ready per profile."""

    def __init__(
        self,
        create: Callable[[Profile], Slot],
        destroy: Callable[[Slot], None],
        size: int,
    ) -> None:
        self.size = size
        self._create = create
        self._destroy = destroy
        self._ready: OrderedDict[Profile, list[Slot]] = OrderedDict()
        self._filling: set[Profile] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._pending: set[Future[None]] = set()
        self._workers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="adrs-docker-pool")
        self.last_error: str | None = None

    def take(self, profile: Profile) -> Slot | None:
        """A ready container of ``profile``, or None (the caller then creates one)."""
        evicted: list[Slot] = []
        with self._lock:
            slots = self._ready.setdefault(profile, [])
            self._ready.move_to_end(profile)
            slot = slots.pop(0) if slots else None
            while len(self._ready) > MAX_PROFILES:
                _, old = self._ready.popitem(last=False)
                evicted.extend(old)
        for old_slot in evicted:
            self.discard(old_slot)
        return slot

    def replenish(self, profile: Profile) -> None:
        """Create containers of ``profile`` in the background up to the pool's size.

        Called once an evaluation has finished, so that creating the next containers
        does not compete with starting the current one.
        """
        with self._lock:
            refill = (
                self.size > 0
                and not self._closed
                and profile in self._ready
                and profile not in self._filling
            )
            if refill:
                self._filling.add(profile)
        if refill:
            self._submit(self._refill, profile)

    def discard(self, slot: Slot) -> None:
        """Remove a used (or unwanted) container, in the background."""
        with self._lock:
            closed = self._closed
        if closed:
            self._safe_destroy(slot)
        else:
            self._submit(self._safe_destroy, slot)

    def _submit(self, fn: Callable[[Any], None], arg: Any) -> None:
        try:
            future = self._workers.submit(fn, arg)
        except RuntimeError:  # shut down meanwhile
            if isinstance(arg, Slot):
                self._safe_destroy(arg)
            return
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _safe_destroy(self, slot: Slot) -> None:
        with contextlib.suppress(Exception):  # the reaper catches whatever is left
            self._destroy(slot)

    def _refill(self, profile: Profile) -> None:
        try:
            while True:
                with self._lock:
                    if self._closed or profile not in self._ready:
                        return
                    if len(self._ready[profile]) >= self.size:
                        return
                try:
                    slot = self._create(profile)
                except Exception as exc:  # the next cold start reports it properly
                    self.last_error = str(exc)
                    return
                with self._lock:
                    keep = not self._closed and profile in self._ready
                    if keep:
                        self._ready[profile].append(slot)
                if not keep:
                    self._safe_destroy(slot)
                    return
        finally:
            with self._lock:
                self._filling.discard(profile)

    def drain(self) -> None:
        """Wait for background creations and removals in flight."""
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            for future in pending:
                with contextlib.suppress(Exception):
                    future.result()

    def close(self) -> None:
        """Stop refilling, finish removals and remove every ready container."""
        with self._lock:
            self._closed = True
        self.drain()
        self._workers.shutdown(wait=True)
        with self._lock:
            slots = [s for group in self._ready.values() for s in group]
            self._ready.clear()
        for slot in slots:
            self._safe_destroy(slot)
