"""Opening an archive for the dashboard: one-line errors, and old schemas still served."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from adrs.archive import db
from adrs.archive.store import Archive
from adrs.dashboard.app import create_app
from adrs.dashboard.readonly import open_readonly
from adrs.errors import ArchiveError
from tests.dashboard.conftest import fetch, serving


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(ArchiveError, match=r"no such database file") as err:
        open_readonly(str(missing))
    assert "\n" not in str(err.value)
    assert not missing.exists()  # nothing was created


def test_a_database_that_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    create_engine(f"sqlite:///{other}").connect().exec_driver_sql("CREATE TABLE t (x)").close()
    with pytest.raises(ArchiveError, match=r"not an ADRS archive \(no table runs"):
        open_readonly(str(other))


def test_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match=r"cannot open") as err:
        open_readonly(str(junk))
    assert "\n" not in str(err.value)


def test_a_url_for_a_missing_driver_is_a_one_line_error() -> None:
    with pytest.raises(ArchiveError, match="database driver not installed"):
        open_readonly("nosuchdialect+driver://host/db")


def test_an_archive_at_an_older_schema_is_served_without_migrating_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = db.make_engine(f"sqlite:///{path}")
    config = db._alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    engine.dispose()
    archive = open_readonly(str(path))
    assert archive.revision == "0001" and archive.outdated and not archive.newer
    archive.engine.dispose()
    with serving(create_app(str(path))) as base:
        assert fetch(f"{base}/api/runs").json()["runs"] == []
    again = open_readonly(str(path))
    assert again.revision == "0001"  # still: the dashboard did not upgrade it
    again.engine.dispose()


def test_an_archive_from_a_newer_adrs_is_told_apart_from_an_older_one(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Archive(f"sqlite:///{path}").close()
    with create_engine(f"sqlite:///{path}").begin() as conn:
        conn.exec_driver_sql("update alembic_version set version_num = '9999_future'")
    archive = open_readonly(str(path))
    assert archive.newer and not archive.outdated
    archive.engine.dispose()


def test_an_archive_that_goes_away_gives_503_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    Archive(str(path)).close()
    app = create_app(str(path))
    with serving(app) as base:
        path.rename(tmp_path / "moved.db")
        app.state.dashboard.archive.engine.dispose()  # no pooled connection to the old file
        page = fetch(f"{base}/")
        assert page.status == 503 and "read failed" in page.body
        twin = fetch(f"{base}/api/runs")
        assert twin.status == 503
        assert twin.json()["error"].startswith("archive sqlite:///")
        assert "\n" not in twin.json()["error"]
