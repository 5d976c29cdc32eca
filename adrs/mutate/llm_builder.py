"""Building the language-model mutator from ``--model`` names and the run's settings.

With no model named, a key in the environment (or the keys file) picks a default model;
with neither, the registry falls back to the offline mutator.
"""

from __future__ import annotations

import os

from adrs.engine.settings import RunSettings
from adrs.errors import ConfigError
from adrs.llm.client import ChatClient
from adrs.llm.keys import ENV_VARS, Key, find_key, keys_file_path
from adrs.llm.prices import PriceTable
from adrs.llm.retry import RetryPolicy
from adrs.llm.spec import PROVIDERS, ModelSpec, parse_model
from adrs.mutate.base import Mutator
from adrs.mutate.ensemble import Ensemble
from adrs.mutate.llm import LLMMutator, TemplateRates

# The model used when only a key is given: capable, and cheap enough for long searches.
DEFAULT_MODELS = {"openai": "gpt-5-mini", "anthropic": "claude-sonnet-4-5"}


def openai_base_url(settings: RunSettings) -> str | None:
    return settings.base_url or os.environ.get("OPENAI_BASE_URL") or None


def auto_pick(settings: RunSettings) -> tuple[ModelSpec, str] | None:
    for provider in PROVIDERS:
        key = find_key(provider, settings.keys_file)
        if key is not None:
            spec = ModelSpec(provider, DEFAULT_MODELS[provider])
            return spec, f"picked because no --model was given and a key is in {key.source}"
    return None


def resolve_keys(specs: list[ModelSpec], settings: RunSettings) -> dict[str, Key | None]:
    """The key of each provider used; a missing one is an error unless a local server
    (an OpenAI-compatible base URL) needs none."""
    keys: dict[str, Key | None] = {}
    for spec in specs:
        if spec.provider in keys:
            continue
        key = find_key(spec.provider, settings.keys_file)
        if key is None and not (spec.provider == "openai" and openai_base_url(settings)):
            raise ConfigError(
                f"model {spec}: no API key: set {ENV_VARS[spec.provider]} or add "
                f'{spec.provider} = "..." to {keys_file_path(settings.keys_file)}'
            )
        keys[spec.provider] = key
    return keys


def build_llm_mutator(models: list[str], settings: object) -> tuple[Mutator, str] | None:
    """The registry's builder for ``openai:*`` and ``anthropic:*`` models."""
    assert isinstance(settings, RunSettings)
    why = ""
    if models:
        if "offline" in models:
            raise ConfigError("--model offline cannot be combined with language models")
        specs = [parse_model(m) for m in models]
    else:
        picked = auto_pick(settings)
        if picked is None:
            if openai_base_url(settings):
                raise ConfigError(
                    "--base-url given but no --model: name the server's model "
                    "(e.g. --model openai:NAME)"
                )
            return None
        specs, why = [picked[0]], picked[1]
    duplicate = next((s for i, s in enumerate(specs) if s in specs[:i]), None)
    if duplicate is not None:
        raise ConfigError(f"--model {duplicate} is given twice (use model_weights instead)")
    keys = resolve_keys(specs, settings)
    prices = PriceTable.load(settings.prices_file)
    base_url = openai_base_url(settings)

    def make_client(spec: ModelSpec) -> ChatClient:
        # The SDKs take seconds to import: only a run that calls a provider's model pays
        # for that provider's SDK (the Anthropic SDK alone is ~2 s on a 2-core machine).
        key = keys.get(spec.provider)
        api_key = key.value if key else None
        if spec.provider == "openai":
            from adrs.llm.openai_client import OpenAIClient

            return OpenAIClient(
                spec,
                api_key=api_key,
                base_url=base_url,
                max_output_tokens=settings.max_output_tokens,
                temperature=settings.temperature,
            )
        from adrs.llm.anthropic_client import AnthropicClient

        return AnthropicClient(
            spec,
            api_key=api_key,
            base_url=None,  # the SDK reads $ANTHROPIC_BASE_URL itself
            max_output_tokens=settings.max_output_tokens,
            temperature=settings.temperature,
        )

    mutator = LLMMutator(
        Ensemble(
            specs,
            settings.model_weights or None,
            strategy=settings.model_selection,
            exploration=settings.bandit_exploration,
            max_failures=settings.llm_max_failures,
        ),
        make_client,
        prices,
        RetryPolicy(
            deadline_s=settings.llm_timeout_s,
            retries=settings.llm_retries,
            backoff_s=settings.llm_backoff_s,
        ),
        rates=TemplateRates(settings.fix_rate, settings.crossover_rate, settings.rewrite_rate),
        max_output_tokens=settings.max_output_tokens,
        secrets=[k.value for k in keys.values() if k is not None],
    )
    return mutator, describe(specs, settings, prices, why)


def describe(
    specs: list[ModelSpec], settings: RunSettings, prices: PriceTable, why: str = ""
) -> str:
    """One sentence: the models, how one is chosen, where, and which have no price."""
    names = ", ".join(s.key for s in specs)
    text = f"language model {names}" if len(specs) == 1 else f"language models {names}"
    if len(specs) > 1:
        text += (
            " (bandit on gain per dollar)"
            if settings.model_selection == "bandit"
            else " (weighted draw)"
        )
    if why:
        text += f", {why}"
    base_url = openai_base_url(settings)
    if base_url and any(s.provider == "openai" for s in specs):
        text += f"; openai models at {base_url}"
    unpriced = [s.key for s in specs if prices.lookup(s) is None]
    if unpriced:
        text += f"; warning: no price for {', '.join(unpriced)}, counted as $0"
    return text
