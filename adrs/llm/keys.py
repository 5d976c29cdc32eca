"""API keys: from the environment, else from a keys file; never stored or logged.

The keys file is TOML with one entry per provider (``openai = "sk-..."``); its path is the
``keys_file`` setting, else ``$ADRS_KEYS_FILE``, else ``~/.config/adrs/keys.toml``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from adrs.errors import ConfigError
from adrs.llm.spec import PROVIDERS

ENV_VARS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
DEFAULT_KEYS_FILE = Path("~/.config/adrs/keys.toml")


@dataclass(frozen=True)
class Key:
    """A key and where it came from (the place is safe to print, the value is not)."""

    value: str
    source: str


def keys_file_path(keys_file: str | None) -> Path:
    return Path(keys_file or os.environ.get("ADRS_KEYS_FILE") or DEFAULT_KEYS_FILE).expanduser()


def _from_file(path: Path, explicit: bool) -> dict[str, str]:
    if not path.is_file():
        if explicit:
            raise ConfigError(f"{path}: keys file not found")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        # The message of a TOML error can quote the file, and so the key: leave it out.
        raise ConfigError(f"{path}: keys file is not valid TOML") from None
    out: dict[str, str] = {}
    for provider, value in data.items():
        if provider not in PROVIDERS or not isinstance(value, str):
            raise ConfigError(
                f'{path}: expected provider = "KEY" lines (providers: {", ".join(PROVIDERS)})'
            )
        out[provider] = value.strip()
    return out


def find_key(provider: str, keys_file: str | None = None) -> Key | None:
    """The key for ``provider``: its environment variable first, then the keys file."""
    var = ENV_VARS[provider]
    value = os.environ.get(var, "").strip()
    if value:
        return Key(value, f"${var}")
    explicit = bool(keys_file or os.environ.get("ADRS_KEYS_FILE"))
    path = keys_file_path(keys_file)
    stored = _from_file(path, explicit).get(provider)
    return Key(stored, str(path)) if stored else None


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret (and any long run of it) replaced by a marker."""
    for secret in secrets:
        if len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    return text
