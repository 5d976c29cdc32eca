"""Turning --model names and the environment into the run's mutator."""

from __future__ import annotations

from pathlib import Path

import pytest

from adrs.engine.settings import RunSettings
from adrs.errors import ConfigError
from adrs.mutate.llm import LLMMutator
from adrs.mutate.offline import OfflineMutator
from adrs.mutate.registry import make_mutator


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ADRS_KEYS_FILE", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)


def test_with_no_model_and_no_key_the_offline_mutator_is_used_and_said() -> None:
    mutator, why = make_mutator([], RunSettings())
    assert isinstance(mutator, OfflineMutator)
    assert why == "offline mutator (no --model given and no API key found)"


@pytest.mark.parametrize(
    ("var", "model"),
    [("OPENAI_API_KEY", "openai:gpt-5-mini"), ("ANTHROPIC_API_KEY", "anthropic:claude-sonnet-4-5")],
)
def test_with_no_model_a_key_picks_a_default_model_and_says_why(
    monkeypatch: pytest.MonkeyPatch, var: str, model: str
) -> None:
    monkeypatch.setenv(var, "sk-test-0123456789")
    mutator, why = make_mutator([], RunSettings())
    assert isinstance(mutator, LLMMutator)
    assert why == (
        f"language model {model}, picked because no --model was given and a key is in ${var}"
    )


def test_a_model_without_a_key_is_an_error_saying_where_to_put_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make_mutator(["anthropic:claude-haiku-4-5"], RunSettings())
    assert str(info.value) == (
        "model anthropic:claude-haiku-4-5: no API key: set ANTHROPIC_API_KEY or add "
        f'anthropic = "..." to {tmp_path}/.config/adrs/keys.toml'
    )


def test_a_local_server_needs_no_key_and_an_unpriced_model_is_warned_about() -> None:
    settings = RunSettings(base_url="http://127.0.0.1:9/v1", models=["openai:qwen"])
    mutator, why = make_mutator(["openai:qwen"], settings)
    assert isinstance(mutator, LLMMutator)
    assert why == (
        "language model openai:qwen; openai models at http://127.0.0.1:9/v1; "
        "warning: no price for openai:qwen, counted as $0"
    )


def test_two_models_say_how_one_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")
    models = ["openai:gpt-5-mini", "anthropic:claude-sonnet-4-5"]
    _, why = make_mutator(models, RunSettings(models=models, model_selection="bandit"))
    assert why == (
        "language models openai:gpt-5-mini, anthropic:claude-sonnet-4-5 (bandit on gain per dollar)"
    )


@pytest.mark.parametrize(
    ("models", "settings", "message"),
    [
        (["offline", "openai:x"], {}, "--model offline cannot be combined"),
        (["openai:x", "openai:x"], {}, "--model openai:x is given twice"),
        (["gemini:pro"], {}, "unknown provider 'gemini'"),
        ([], {"base_url": "http://127.0.0.1:9/v1"}, "--base-url given but no --model"),
    ],
)
def test_bad_model_choices_are_one_line_errors(
    models: list[str], settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_mutator(models, RunSettings(**settings))  # type: ignore[arg-type]
