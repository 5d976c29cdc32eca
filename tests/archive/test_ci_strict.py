"""Under CI=true an archive test that would skip for want of PostgreSQL fails instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PG_TEST = (
    "tests/archive/test_store_backends.py::"
    "test_migrations_create_exactly_the_models_schema[postgresql]"
)
# A child pytest on a machine where the server binaries are not found.
NO_SERVER = (
    "import sys, pytest, tests.support.postgres as pg\n"
    "pg.find_bin_dir = lambda: None\n"
    "sys.exit(pytest.main(['-q', '-rs', '-p', 'no:cacheprovider', sys.argv[1]]))\n"
)


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 error"), ("", "1 skipped")])
def test_a_postgresql_test_without_a_server_fails_under_ci_and_skips_elsewhere(
    ci: str, outcome: str
) -> None:
    env = {**os.environ, "CI": ci}
    done = subprocess.run(
        [sys.executable, "-c", NO_SERVER, PG_TEST],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outcome in done.stdout, done.stdout[-2000:]
    assert "PostgreSQL server binaries not found" in done.stdout
    if ci:
        assert done.returncode == 1 and "required under CI=true" in done.stdout
