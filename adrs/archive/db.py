"""Opening an archive database: URL handling, SQLite pragmas and Alembic migrations."""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from adrs.errors import ArchiveError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///runs/archive.db"


def resolve_url(url: str | None) -> str:
    """The archive URL: the argument, else ``ADRS_DB``, else ``runs/archive.db`` here.

    A bare path is taken as a SQLite file. An explicitly empty one is an error, not the
    default: ``--db "$UNSET_VAR"`` must not write into ``runs/archive.db`` unasked.
    """
    if url is not None and not url.strip():
        raise ArchiveError("the archive URL is empty (--db '')")
    url = url or os.environ.get("ADRS_DB") or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def safe_url(url: object) -> str:
    """A URL fit for messages: any password is masked."""
    try:
        return make_url(str(url)).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))


def require_existing(url: str | None) -> None:
    """Raise when ``url`` names a SQLite file that does not exist: commands that read or
    continue a run must not turn a mistyped path into a new, empty archive."""
    make_engine(resolve_url(url), readonly=True).dispose()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


_WAL_ATTEMPTS = 20


def _enable_wal(cur: Any) -> None:
    """Switch a SQLite file to WAL; a no-op once any connection has done it.

    The first switch of a new file needs an exclusive lock. Two processes switching at
    once each hold a shared lock and want the exclusive one, which SQLite reports at once
    as "database is locked" (its busy handler would deadlock), so this retries briefly.
    """
    for attempt in range(_WAL_ATTEMPTS):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _WAL_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))


def make_engine(url: str, *, readonly: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys."""
    try:
        parsed = make_url(url)
        _ = parsed.port  # a non-numeric port raises here rather than at connect time
    except (ArgumentError, ValueError):
        raise ArchiveError(f"not a database URL: {safe_url(url)!r}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            path = Path(database)
            if readonly and not path.exists():
                raise ArchiveError(f"archive {url}: no such database file")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ArchiveError(f"archive {url}: cannot create its folder: {exc}") from None
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=30000")
            _enable_wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise ArchiveError(
            f"archive {safe_url(url)}: database driver not installed ({exc})"
        ) from None


# Any constant does: it names the one lock that concurrent openers of a PostgreSQL
# archive take while they migrate it.
_PG_MIGRATION_LOCK = 0x41445253


def _lock_for_migration(conn: Any) -> None:
    """Serialise migrations between processes opening the same archive at once.

    Without this, two openers of a new SQLite file both see no schema and both create
    it; the second fails with "table already exists" (SQLite runs DDL outside a
    transaction unless one is begun explicitly).
    """
    backend = conn.dialect.name
    if backend == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif backend == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")


def known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of this package's migrations."""
    return revision in {
        r.revision for r in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
    }


def upgrade(engine: Engine, *, readonly: bool = False) -> None:
    """Bring the schema to the newest revision (creates it on an empty database).

    A read-only opener never writes: an archive that is not at the newest revision (or
    one whose creator has not finished creating it) is an error for it.
    """
    cfg = _alembic_config()
    where = f"archive {safe_url(engine.url)}"
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current == head_revision():
            return
        if current is not None and not known_revision(current):
            # Migrating would fail inside Alembic; an older adrs cannot read it either.
            raise ArchiveError(
                f"{where}: schema revision {current} is unknown to this adrs (newest it "
                f"knows: {head_revision()}); the archive was written by a newer adrs"
            )
        if readonly:
            if current is None:
                raise ArchiveError(f"{where}: not an ADRS archive (or still being created)")
            raise ArchiveError(
                f"{where}: schema revision {current}, this adrs reads {head_revision()}; "
                "upgrade it with `adrs upgrade --db URL`"
            )
        with engine.begin() as conn:
            _lock_for_migration(conn)
            # Another process may have migrated while this one waited for the lock.
            if MigrationContext.configure(conn).get_current_revision() == head_revision():
                return
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # drivers' messages span lines
        raise ArchiveError(f"{where}: cannot open: {reason}") from None
    except DBAPIError as exc:  # e.g. a file that is not a database; the driver's words
        reason = " ".join(str(exc.orig).split())
        raise ArchiveError(f"{where}: cannot open: {reason}") from None
    except SQLAlchemyError as exc:
        raise ArchiveError(f"{where}: {type(exc).__name__}: {exc}") from None
