"""The container's standard streams over one attach connection: the job goes in on stdin,
stdout and stderr come back multiplexed and are kept as bounded tails.

The engine frames each chunk of output with an 8-byte header (stream number, three zero
bytes, big-endian length). A stream that produces more than its limit triggers
``on_overflow`` once (the sandbox then kills the container); reading goes on, discarding,
until the connection closes, so the container never blocks on a full pipe.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any

STREAM_NAMES = {1: "stdout", 2: "stderr"}
HEADER = struct.Struct(">BxxxI")


class _Tail:
    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.buffer = bytearray()
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        self.buffer += data
        if len(self.buffer) > 2 * self.keep:
            del self.buffer[: len(self.buffer) - self.keep]

    def text(self) -> str:
        return bytes(self.buffer[-self.keep :]).decode("utf-8", errors="replace")


class AttachedStreams(threading.Thread):
    """Reads the multiplexed output of one container until the engine closes it."""

    def __init__(
        self, sock: Any, keep: int, limit: int, on_overflow: Callable[[str], None]
    ) -> None:
        super().__init__(daemon=True, name="adrs-docker-attach")
        self.sock = sock
        self.limit = limit
        self.on_overflow = on_overflow
        self.tails = {name: _Tail(keep) for name in STREAM_NAMES.values()}
        self.overflow: str | None = None

    def send_input(self, data: bytes) -> None:
        """Write the whole of stdin, then close our writing half (the harness sees EOF)."""
        with contextlib.suppress(OSError):
            self.sock.sendall(data)
            self.sock.shutdown(socket.SHUT_WR)

    def run(self) -> None:
        pending = bytearray()
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                pending += chunk
                self._consume(pending)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                self.sock.close()

    def _consume(self, pending: bytearray) -> None:
        while len(pending) >= HEADER.size:
            stream, size = HEADER.unpack_from(pending)
            if len(pending) < HEADER.size + size:
                return
            data = bytes(pending[HEADER.size : HEADER.size + size])
            del pending[: HEADER.size + size]
            name = STREAM_NAMES.get(stream)
            if name is None:
                continue
            tail = self.tails[name]
            tail.add(data)
            if tail.total > self.limit and self.overflow is None:
                self.overflow = name
                self.on_overflow(name)

    def text(self, name: str) -> str:
        return self.tails[name].text()
