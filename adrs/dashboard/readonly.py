"""Opening an archive for the dashboard: read-only at the database level, never migrated.

The dashboard must not change what it shows: SQLite files are opened with ``mode=ro`` and
``query_only``, other servers get read-only sessions. An archive whose schema is older
than this build still opens (pages are then slower, not wrong); a file that is not an
archive is refused with a one-line error.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from adrs.archive import db
from adrs.errors import ArchiveError

REQUIRED_TABLES = ("runs", "programs", "lineage", "llm_calls", "evaluations", "events")


@dataclass(frozen=True)
class ReadonlyArchive:
    """A read-only engine on an archive, with what was found when it was opened."""

    engine: Engine
    url: str
    revision: str | None
    head: str | None

    @property
    def newer(self) -> bool:
        """Written by a newer adrs: a revision this package has no migration for."""
        return self.revision is not None and not db.known_revision(self.revision)

    @property
    def outdated(self) -> bool:
        return self.revision != self.head and not self.newer


def _sqlite_readonly_url(parsed: URL, original: str) -> str:
    database = parsed.database or ""
    if not database or database == ":memory:":
        raise ArchiveError(f"archive {original}: an in-memory database has nothing to show")
    path = Path(database).expanduser().resolve()
    if not path.is_file():
        raise ArchiveError(f"archive {original}: no such database file")
    if not os.access(path, os.R_OK):
        raise ArchiveError(f"archive {original}: the file is not readable")
    return f"sqlite:///file:{urllib.parse.quote(str(path))}?mode=ro&uri=true"


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ArchiveError(f"not a database URL: {db.safe_url(url)!r}") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(_sqlite_readonly_url(parsed, url), connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA query_only=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise ArchiveError(
            f"archive {db.safe_url(url)}: database driver not installed ({exc})"
        ) from None
    if parsed.get_backend_name() == "postgresql":

        @event.listens_for(engine, "connect")
        def _readonly_session(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cur.close()
            dbapi_conn.commit()

    return engine


def open_readonly(url: str | None) -> ReadonlyArchive:
    """Open the archive at ``url`` (or ``ADRS_DB``, or ``runs/archive.db``) for reading."""
    resolved = db.resolve_url(url)
    engine = _engine(resolved)
    where = db.safe_url(resolved)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            missing = [t for t in REQUIRED_TABLES if t not in tables]
            if missing:
                raise ArchiveError(
                    f"archive {where}: not an ADRS archive (no table {', '.join(missing)})"
                )
            revision = None
            if "alembic_version" in tables:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = getattr(exc, "orig", None) or exc
        raise ArchiveError(f"archive {where}: cannot open: {reason}") from None
    except ArchiveError:
        engine.dispose()
        raise
    return ReadonlyArchive(engine=engine, url=where, revision=revision, head=db.head_revision())
