"""Migration 0003_dashboard: the models and the migrated schema agree, and it reverses."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from adrs.archive import db
from adrs.archive.store import Archive, check_metadata_matches

DASHBOARD_INDEXES = {
    "ix_programs_run_seq_score",
    "ix_programs_run_state_status",
    "ix_programs_parent_seq",
    "ix_llm_calls_run_model",
    "ix_evaluations_run_purpose",
}


def _indexes(archive: Archive) -> set[str]:
    found = inspect(archive.engine)
    return {
        i["name"] or ""
        for table in ("programs", "llm_calls", "evaluations")
        for i in found.get_indexes(table)
    }


def test_a_new_archive_has_the_dashboard_indexes_and_matches_the_models(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path / "a.db"))
    assert _indexes(archive) >= DASHBOARD_INDEXES
    assert check_metadata_matches(archive.engine) == []
    archive.close()


def test_the_migration_downgrades_and_upgrades(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path / "a.db"))
    config = db._alembic_config()
    with archive.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    assert not DASHBOARD_INDEXES & _indexes(archive)
    db.upgrade(archive.engine)
    assert _indexes(archive) >= DASHBOARD_INDEXES
    archive.close()
