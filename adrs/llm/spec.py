"""Model names: ``provider:model`` (``openai:gpt-5-mini``, ``anthropic:claude-sonnet-4-5``)."""

from __future__ import annotations

from dataclasses import dataclass

from adrs.errors import ConfigError

PROVIDERS = ("openai", "anthropic")


@dataclass(frozen=True)
class ModelSpec:
    """A model as the run names it; ``key`` is what the archive records."""

    provider: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.name}"

    def __str__(self) -> str:
        return self.key


def parse_model(text: str, where: str = "--model") -> ModelSpec:
    """Parse ``provider:model``; the model part may itself hold colons (``llama3:8b``)."""
    provider, sep, name = text.strip().partition(":")
    if not sep or not name.strip():
        raise ConfigError(
            f"{where} {text!r}: expected provider:model "
            f"(providers: {', '.join(PROVIDERS)}), or 'offline'"
        )
    if provider not in PROVIDERS:
        raise ConfigError(
            f"{where} {text!r}: unknown provider {provider!r} (known: {', '.join(PROVIDERS)})"
        )
    return ModelSpec(provider, name.strip())
