"""Migration 0002_llm: model calls gain an attempts count; older archives upgrade in place."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from adrs.archive import db
from adrs.archive.store import Archive, check_metadata_matches


def test_an_archive_at_0001_upgrades_and_keeps_its_calls(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    cfg = db._alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO runs (id, problem_name, problem_path, problem_digest, "
                "objective_metric, objective_direction, settings, status, verified, "
                "sandbox_backend, executor, seed, iterations, evaluations, cost_usd, "
                "tokens_in, tokens_out, host, version, created_at, updated_at) VALUES "
                "('r1', 'p', '/p', 'd', 'm', 'maximize', '{}', 'finished', 1, 'process', "
                "'inline', 0, 1, 1, 0.5, 10, 20, 'h', '0', '2025-01-01', '2025-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO llm_calls (run_id, seq, model, system_prompt, prompt, response, "
                "tokens_in, tokens_out, cost_usd, latency_s, created_at) VALUES "
                "('r1', 1, 'openai:gpt-5-mini', '', 'p', 'r', 10, 20, 0.5, 1.0, '2025-01-01')"
            )
        )
    engine.dispose()
    archive = Archive(url)
    with archive.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        attempts = conn.execute(text("SELECT attempts FROM llm_calls")).scalar()
    assert revision == db.head_revision() and attempts == 1
    assert check_metadata_matches(archive.engine) == []
