"""API keys: the environment first, then a keys file; never echoed in an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from adrs.errors import ConfigError
from adrs.llm.keys import find_key, redact


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ADRS_KEYS_FILE"):
        monkeypatch.delenv(var, raising=False)


def test_the_environment_wins_over_the_keys_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text('openai = "sk-from-file-123"\nanthropic = "sk-ant-from-file"\n')
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-456")
    openai_key = find_key("openai", str(keys))
    anthropic_key = find_key("anthropic", str(keys))
    assert openai_key is not None and anthropic_key is not None
    assert (openai_key.value, openai_key.source) == ("sk-from-env-456", "$OPENAI_API_KEY")
    assert (anthropic_key.value, anthropic_key.source) == ("sk-ant-from-file", str(keys))


def test_the_default_keys_file_lives_in_the_home_folder(tmp_path: Path) -> None:
    assert find_key("openai") is None
    default = tmp_path / ".config" / "adrs" / "keys.toml"
    default.parent.mkdir(parents=True)
    default.write_text('openai = "sk-default-file"\n')
    key = find_key("openai")
    assert key is not None and key.value == "sk-default-file"


def test_a_named_keys_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="keys file not found"):
        find_key("openai", str(tmp_path / "none.toml"))


def test_a_broken_keys_file_error_does_not_quote_the_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text('openai = "sk-secret-value-999\n')  # unterminated string
    with pytest.raises(ConfigError) as info:
        find_key("openai", str(keys))
    assert "sk-secret-value-999" not in str(info.value)
    assert str(keys) in str(info.value)


def test_redaction_removes_every_secret() -> None:
    text = "HTTP 401: Incorrect API key provided: sk-secret-value-999 (sk-secret-value-999)"
    assert redact(text, ["sk-secret-value-999"]) == (
        "HTTP 401: Incorrect API key provided: [redacted] ([redacted])"
    )
