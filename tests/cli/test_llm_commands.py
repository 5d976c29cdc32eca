"""The command line around language models: `adrs models`, `adrs run --model`, budgets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adrs.cli.main import main
from tests.support.llm import OPENAI_KEY, running_stub, step_responder, write_step_problem


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ADRS_KEYS_FILE", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)


def test_models_lists_prices_and_says_no_key_means_offline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "anthropic:claude-sonnet-4-5  3             15             missing" in out
    assert out.strip().endswith(
        "with no --model, a run uses the offline mutator (no API key found; "
        "$OPENAI_API_KEY would pick openai:gpt-5-mini, "
        "$ANTHROPIC_API_KEY would pick anthropic:claude-sonnet-4-5)"
    )


def test_models_shows_whether_each_configured_model_has_a_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    config = tmp_path / "run.toml"
    config.write_text('[run]\nmodels = ["openai:gpt-5-mini", "anthropic:claude-haiku-4-5"]\n')
    assert main(["models", "--config", str(config), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    keys = {row["model"]: row["key"] for row in data["models"]}
    assert keys == {
        "openai:gpt-5-mini": "yes ($OPENAI_API_KEY)",
        "anthropic:claude-haiku-4-5": "missing",
    }
    assert data["models"][0]["input_usd_per_mtok"] == 0.25
    assert OPENAI_KEY not in json.dumps(data)


def test_models_warns_about_an_unpriced_local_model(capsys: pytest.CaptureFixture[str]) -> None:
    url = "http://127.0.0.1:9/v1"
    assert main(["models", "--model", "openai:qwen3-coder", "--base-url", url]) == 0
    out = capsys.readouterr().out
    assert f"openai:qwen3-coder  -             -              not needed (base URL)  {url}" in out
    assert "warning: no price for openai:qwen3-coder: their calls count as $0" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nosuch:model"], "adrs: error: --model 'nosuch:model': unknown provider"),
        (
            ["--model", "openai:gpt-5-mini", "--model-weight", "1", "--model-weight", "2"],
            "adrs: error: settings: 'model_weights' has 2 entries for 1 models",
        ),
        (
            ["--model", "anthropic:claude-haiku-4-5"],
            "adrs: error: model anthropic:claude-haiku-4-5: no API key: set ANTHROPIC_API_KEY",
        ),
    ],
)
def test_a_bad_model_option_is_a_one_line_error_and_no_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    problem = write_step_problem(tmp_path / "step")
    db = tmp_path / "a.db"
    assert main(["run", str(problem), "--db", str(db), *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
    assert not db.exists()


@pytest.mark.slow
def test_a_run_shows_its_model_costs_and_a_raised_budget_resumes_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = write_step_problem(tmp_path / "step")
    db = str(tmp_path / "a.db")
    with running_stub(monkeypatch, tmp_path, responder=step_responder({"gpt-5-mini"})) as stub:
        common = ["--db", db, "--sandbox", "process", "--json"]
        code = main(
            [
                "run",
                str(problem),
                "--model",
                "openai:gpt-5-mini",
                "--base-url",
                stub.openai_base_url,
                *["--iterations", "30", "--budget-usd", "0.005", "--max-output-tokens", "500"],
                *common,
            ]
        )
        assert code == 0
        captured = capsys.readouterr()
        result = json.loads(captured.out)
        assert "mutator: language model openai:gpt-5-mini" in captured.err
        assert result["stop_reason"].startswith("budget of $0.005 reached")
        assert main(["resume", result["run_id"], "--budget-usd", "1", "--db", db, "--json"]) == 0
        resumed = json.loads(capsys.readouterr().out)
    assert resumed["stop_reason"] == "completed 30 iterations"
    assert main(["runs", "--db", db, "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["iterations"] == 30 and row["status"] == "finished"
    assert row["tokens_in"] == sum(r.tokens_in for r in stub.requests) > 0
    assert 0 < row["cost_usd"] < 0.01
    assert main(["runs", "--db", db]) == 0
    assert f"{row['tokens_in']}/{row['tokens_out']}" in capsys.readouterr().out
    assert main(["show", result["best_program_id"], "--db", db, "--no-source"]) == 0
    assert "call: model openai:gpt-5-mini" in capsys.readouterr().out
