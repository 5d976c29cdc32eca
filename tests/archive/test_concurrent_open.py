"""Several processes opening one archive at once: the schema is created exactly once, and
a read-only opener never writes to an archive it finds unfinished or out of date."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from adrs.archive import db
from adrs.archive.store import Archive
from adrs.cli.main import main
from adrs.errors import ArchiveError

OPENERS = 6


def _open_after(barrier: object, url: str, results: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    try:
        Archive(url).close()
        results.put("ok")  # type: ignore[attr-defined]
    except ArchiveError as exc:
        results.put(str(exc))  # type: ignore[attr-defined]


def _revision(path: Path) -> str | None:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(rows) == 1
    return str(rows[0][0])


@pytest.mark.parametrize("attempt", range(3))
def test_processes_creating_one_new_archive_at_once_all_open_it(
    archive_url: str, attempt: int
) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(OPENERS)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_open_after, args=(barrier, archive_url, results))
        for _ in range(OPENERS)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert outcomes == ["ok"] * OPENERS
    engine = create_engine(archive_url)
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert versions == [db.head_revision()]


def _connect_after(barrier: object, url: str, results: object) -> None:
    engine = db.make_engine(url)
    barrier.wait()  # type: ignore[attr-defined]
    try:
        with engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        results.put(str(mode))  # type: ignore[attr-defined]
    except Exception as exc:  # the test reports whatever an opener hit
        results.put(repr(exc))  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_first_connections_to_a_new_sqlite_file_all_get_wal(tmp_path: Path) -> None:
    # Switching a new file to WAL at once from several processes is a lock deadlock
    # that SQLite reports immediately; a few dozen rounds make the race near certain.
    ctx = multiprocessing.get_context("fork")
    outcomes: list[str] = []
    for round_ in range(40):
        url = f"sqlite:///{tmp_path / f'new-{round_}.db'}"
        barrier = ctx.Barrier(OPENERS)
        results = ctx.Queue()
        procs = [
            ctx.Process(target=_connect_after, args=(barrier, url, results)) for _ in range(OPENERS)
        ]
        for p in procs:
            p.start()
        outcomes += [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=30)
    assert set(outcomes) == {"wal"}


def test_a_readonly_opener_of_an_archive_being_created_fails_without_writing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.db"
    sqlite3.connect(path).close()  # the creator has made the file, not yet the schema
    with pytest.raises(ArchiveError, match="not an ADRS archive"):
        Archive(str(path), readonly=True)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_a_readonly_opener_leaves_an_old_archive_alone_and_adrs_upgrade_upgrades_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    cfg = db._alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    with pytest.raises(ArchiveError, match=r"schema revision 0001.*adrs upgrade"):
        Archive(str(path), readonly=True)
    assert _revision(path) == "0001"
    assert main(["upgrade", "--db", str(path)]) == 0
    assert _revision(path) == db.head_revision()
    assert db.head_revision() in capsys.readouterr().out


def test_adrs_upgrade_of_a_missing_file_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "typo.db"
    assert main(["upgrade", "--db", str(path)]) != 0
    assert "no such database file" in capsys.readouterr().err
    assert not path.exists()
