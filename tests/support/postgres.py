"""A real PostgreSQL server for the tests: a throw-away cluster on loopback, one per session.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
`postgres` system user (created by Debian's package). Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

USER = "adrs"


def find_bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (Debian's layout, or PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


def unavailable_reason() -> str | None:
    """Why no server can be started here, or None when one can."""
    if find_bin_dir() is None:
        return "PostgreSQL server binaries not found (Debian package 'postgresql')"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server; ``url(db)`` names a database on it for SQLAlchemy."""

    port: int
    process: subprocess.Popen[bytes]
    base: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    @contextlib.contextmanager
    def database(self) -> Iterator[str]:
        """A fresh, empty database for one test; dropped afterwards."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield self.url(name)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: smart shutdown; then insist
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)


def _as_server_user() -> tuple[list[str], int | None]:
    """A command prefix that drops root to `postgres`, and that user's uid."""
    if os.geteuid() != 0:
        return [], None
    entry = pwd.getpwnam("postgres")
    setpriv = shutil.which("setpriv") or "setpriv"
    prefix = [setpriv, f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups"]
    return prefix, entry.pw_uid


def start_server(timeout: float = 60.0) -> PostgresServer:
    """initdb a cluster in a temporary folder and start it on a free loopback port."""
    bin_dir = find_bin_dir()
    assert bin_dir is not None
    base = Path(tempfile.mkdtemp(prefix="adrs-pg-"))
    prefix, uid = _as_server_user()
    os.chmod(base, 0o755)
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    if uid is not None:
        os.chown(sockets, uid, -1)
        os.chown(base, uid, -1)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust"]
    subprocess.run(
        [*prefix, *initdb, "-E", "UTF8", "--no-sync", "--no-instructions"],
        check=True,
        capture_output=True,
        env=env,
        cwd=base,
    )
    port = _free_port()
    options = {
        "listen_addresses": "127.0.0.1",  # loopback only
        "unix_socket_directories": str(sockets),
        "fsync": "off",  # a throw-away cluster: durability buys nothing here
        "full_page_writes": "off",
        "max_connections": "50",
    }
    settings = [arg for key, value in options.items() for arg in ("-c", f"{key}={value}")]
    process = subprocess.Popen(
        [*prefix, str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), *settings],
        stdout=subprocess.DEVNULL,
        stderr=open(base / "server.log", "wb"),  # noqa: SIM115 - the server owns it
        env=env,
        cwd=base,
    )
    server = PostgresServer(port=port, process=process, base=base)
    deadline = time.monotonic() + timeout
    while True:
        try:
            server._admin("SELECT 1")
            return server
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                log = (base / "server.log").read_text(errors="replace")[-2000:]
                server.stop()
                raise RuntimeError(f"PostgreSQL did not start: {log}") from None
            time.sleep(0.2)
