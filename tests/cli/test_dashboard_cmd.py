"""`adrs dashboard`: serves the archive on the address it prints, stops cleanly, and turns
bad input into one-line errors."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from adrs.archive.store import Archive
from adrs.cli.main import main
from tests.dashboard.conftest import fetch


def _adrs(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "adrs.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serves_on_the_printed_address_and_stops_on_interrupt(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    Archive(str(db)).close()
    proc = _adrs("dashboard", "--db", str(db), "--port", "0")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.match(r"dashboard: (http://127\.0\.0\.1:\d+)/ \(archive ", line)
        assert found, line
        reply = fetch(found.group(1) + "/")
        assert reply.status == 200 and "No runs in this archive yet" in reply.body
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_missing_archive_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dashboard", "--db", str(tmp_path / "absent.db"), "--port", "0"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("adrs: error: archive sqlite:///") and "no such database file" in err
    assert err.count("\n") == 1
    assert not (tmp_path / "absent.db").exists()


def test_a_busy_port_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "archive.db"
    Archive(str(db)).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["dashboard", "--db", str(db), "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err and err.count("\n") == 1


def test_an_empty_token_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "archive.db"
    Archive(str(db)).close()
    assert main(["dashboard", "--db", str(db), "--token", " "]) == 2
    assert "--token" in capsys.readouterr().err
