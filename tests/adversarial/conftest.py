"""Fixtures of the adversarial suite: a sandbox per backend, the vault problem, a canary
server on the host's loopback and a canary credential in the host's environment."""

from __future__ import annotations

import secrets
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adrs.problem.loader import Problem, load_problem
from adrs.sandbox.base import Sandbox
from adrs.sandbox.process import ProcessSandbox
from tests.adversarial.catalogue import VAULT
from tests.support.docker_env import require_docker

CANARY_KEY = "sk-adrs-canary-0c7f9e"


@dataclass
class Backend:
    name: str
    sandbox: Sandbox
    run_id: str = field(default_factory=lambda: f"adversarial-{secrets.token_hex(4)}")


@pytest.fixture(scope="module", params=["docker", "process"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    sandbox: Sandbox
    if request.param == "docker":
        require_docker()
        from adrs.sandbox.docker_sandbox import DockerSandbox

        sandbox = DockerSandbox(pool_size=1)
    else:
        # A folder of this suite's own: whatever runs with its working directory there
        # was started by one of these evaluations (tests/adversarial/test_attacks.py).
        base = Path(tempfile.gettempdir()) / f"adrs-adversarial-{secrets.token_hex(4)}"
        sandbox = ProcessSandbox(base_dir=base)
    chosen = Backend(request.param, sandbox)
    try:
        yield chosen
    finally:
        closer = getattr(sandbox, "close", None)
        if closer is not None:
            closer()
        if isinstance(sandbox, ProcessSandbox):
            shutil.rmtree(sandbox.base_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def vault() -> Problem:
    return load_problem(VAULT)


@pytest.fixture(autouse=True)
def canary_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets in the host's environment that no candidate may see."""
    monkeypatch.setenv("VAULT_SECRET", "7919")
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)


class SecretServer:
    """A TCP server on 127.0.0.1 that hands out the secret factor to whoever connects."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(b"7919\n")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def secret_server() -> Iterator[SecretServer]:
    server = SecretServer()
    try:
        yield server
    finally:
        server.close()
