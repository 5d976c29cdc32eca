"""The command line: one-line errors with non-zero exits; listings with --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROBLEMS, REPO


def adrs(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "adrs.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("adrs: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    db = str(tmp_path_factory.mktemp("cli") / "archive.db")
    result = adrs(
        "run",
        str(PROBLEMS / "model_placement"),
        "--iterations",
        "12",
        "--db",
        db,
        "--json",
        "--executor",
        "inline",
    )
    assert result.returncode == 0, result.stderr
    return db, json.loads(result.stdout)["run_id"]


def test_run_prints_seed_best_and_archive(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = adrs(
        "run",
        str(PROBLEMS / "model_placement"),
        "--iterations",
        "5",
        "--db",
        str(db),
        "--executor",
        "inline",
    )
    assert result.returncode == 0, result.stderr
    assert "seed score:" in result.stdout and "best score:" in result.stdout
    assert f"archive:      sqlite:///{db}" in result.stdout
    assert "mutator: offline mutator" in result.stderr


def test_listing_commands_emit_json(finished_run: tuple[str, str]) -> None:
    db, run_id = finished_run
    runs = json.loads(adrs("runs", "--db", db, "--json").stdout)
    assert runs[0]["id"] == run_id and runs[0]["iterations"] == 12
    assert runs[0]["status"] == "finished" and runs[0]["statuses"]
    best = json.loads(adrs("best", run_id, "--db", db, "--json").stdout)
    shown = json.loads(adrs("show", best["id"][:10], "--db", db, "--json").stdout)
    assert shown["id"] == best["id"] and shown["evaluations"]
    assert shown["lineage"] or shown["seq"] == 0


def test_best_writes_the_program(finished_run: tuple[str, str], tmp_path: Path) -> None:
    db, run_id = finished_run
    out = tmp_path / "best.py"
    assert adrs("best", run_id, "--db", db, "-o", str(out)).returncode == 0
    compile(out.read_text(), str(out), "exec")


def test_validate_records_heldout_scores(finished_run: tuple[str, str]) -> None:
    db, run_id = finished_run
    result = adrs("validate", run_id, "--db", db, "--top", "2", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert any(r["is_seed"] for r in rows)
    assert all(r["status"] == "ok" and r["heldout_score"] > 0 for r in rows)
    shown = json.loads(adrs("show", rows[0]["program_id"], "--db", db, "--json").stdout)
    assert any(
        e["purpose"] == "validation" and e["split"] == "heldout" for e in shown["evaluations"]
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "problems/does_not_exist"], "problems/does_not_exist: no such directory"),
        (["run", "problems/model_placement", "--bogus"], "No such option '--bogus'"),
        (["run", "problems/model_placement", "--iterations", "-3"], "--iterations"),
        (["run", "problems/model_placement", "--model", "acme:gpt"], "model 'acme:gpt'"),
        (["run", "problems/model_placement", "--set", "colour=1"], "unknown setting 'colour'"),
        (["runs", "--db", "postgresql+psycopg://u:pw@127.0.0.1:1/x"], "postgresql"),
        (["show", "nope", "--db", "{db}"], "no program 'nope'"),
        (["best", "nope", "--db", "{db}"], "no run 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(
    finished_run: tuple[str, str], args: list[str], needle: str
) -> None:
    db, _ = finished_run
    line = one_line_error(adrs(*[a.replace("{db}", db) for a in args]))
    assert needle in line
    assert "pw@" not in line


def test_corrupt_config_file_is_reported(tmp_path: Path) -> None:
    config = tmp_path / "run.toml"
    config.write_text("iterations = [\n")
    line = one_line_error(
        adrs(
            "run",
            "problems/model_placement",
            "--config",
            str(config),
            "--db",
            str(tmp_path / "x.db"),
        )
    )
    assert "run.toml: not valid TOML" in line
    assert not (tmp_path / "x.db").exists()


def test_unreachable_database_leaves_nothing_behind(tmp_path: Path) -> None:
    # From an empty folder: a fallback to the default archive would create runs/ here.
    line = one_line_error(
        adrs(
            "run",
            str(PROBLEMS / "model_placement"),
            "--db",
            "postgresql+psycopg://u:pw@127.0.0.1:1/x",
            "--iterations",
            "1",
            "--executor",
            "inline",
            cwd=tmp_path,
        )
    )
    assert "127.0.0.1" in line and "pw@" not in line
    assert list(tmp_path.iterdir()) == []


def archive_bytes(db: str) -> dict[str, bytes]:
    """The archive's files (the database and any WAL), to compare before and after."""
    return {p.name: p.read_bytes() for p in sorted(Path(db).parent.glob(Path(db).name + "*"))}


def test_bad_input_leaves_an_existing_archive_intact(
    finished_run: tuple[str, str], tmp_path: Path
) -> None:
    db, run_id = finished_run
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("problem.toml", "initial.py", "prompt.md"):  # no verifier.py
        (broken / name).write_bytes((PROBLEMS / "model_placement" / name).read_bytes())
    config = tmp_path / "run.toml"
    config.write_text("[run]\nislands = 'two'\n")
    before = archive_bytes(db)
    cases = [
        (["run", str(broken)], "verifier.py: missing file"),
        (["run", str(PROBLEMS / "model_placement"), "--config", str(config)], "run.toml"),
        (["run", str(PROBLEMS / "model_placement"), "--colour"], "No such option"),
        (["resume", "nope"], "no run 'nope'"),
    ]
    for args, needle in cases:
        line = one_line_error(adrs(*args, "--db", db))
        assert needle in line, (args, line)
    assert archive_bytes(db) == before
    assert json.loads(adrs("runs", "--db", db, "--json").stdout)[0]["id"] == run_id


def test_a_mistyped_archive_path_is_an_error_not_a_new_archive(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    for args in (["resume", "abc"], ["runs"], ["best", "abc"], ["validate", "abc"]):
        line = one_line_error(adrs(*args, "--db", str(missing)))
        assert "typo.db: no such database file" in line, (args, line)
    line = one_line_error(adrs("runs", "--db", "", cwd=tmp_path))
    assert "archive URL is empty" in line
    assert list(tmp_path.iterdir()) == []


def test_problems_list_new_and_check(tmp_path: Path) -> None:
    listed = json.loads(adrs("problems", "list", "--json").stdout)
    assert any(p["name"] == "model_placement" for p in listed)
    assert adrs("problems", "new", "demo", "--dir", str(tmp_path)).returncode == 0
    check = adrs("problems", "check", str(tmp_path / "demo"), "--sandbox", "process")
    assert check.returncode == 0, check.stdout + check.stderr
    (tmp_path / "demo" / "verifier.py").unlink()
    line = one_line_error(adrs("problems", "check", str(tmp_path / "demo")))
    assert "verifier.py: missing file" in line


def test_help_lists_every_command() -> None:
    result = adrs("--help")
    for command in ("run", "resume", "runs", "best", "show", "validate", "problems"):
        assert f"  {command}" in result.stdout
