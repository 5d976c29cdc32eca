"""`adrs models`: the configured models, their prices, and whether a key is there for each."""

from __future__ import annotations

from typing import Any

import click

from adrs.cli.output import emit_json, table
from adrs.engine.settings import RunSettings, apply_overrides, load_config_file
from adrs.llm.keys import ENV_VARS, find_key
from adrs.llm.prices import PriceTable
from adrs.llm.spec import ModelSpec, parse_model
from adrs.mutate.llm_builder import DEFAULT_MODELS, auto_pick, openai_base_url


def _key_state(spec: ModelSpec, settings: RunSettings) -> str:
    key = find_key(spec.provider, settings.keys_file)
    if key is not None:
        return f"yes ({key.source})"
    if spec.provider == "openai" and openai_base_url(settings):
        return "not needed (base URL)"
    return "missing"


def _price(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


@click.command("models")
@click.option("--model", "models", multiple=True, help="provider:model; repeatable")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="run settings")
@click.option("--base-url", help="OpenAI-compatible endpoint for openai:* models")
@click.option("--prices", "prices_file", type=click.Path(dir_okay=False), help="extra prices")
@click.option("--keys-file", type=click.Path(dir_okay=False), help="TOML file of API keys")
@click.option("--json", "as_json", is_flag=True)
def models_cmd(
    models: tuple[str, ...],
    config_file: str | None,
    base_url: str | None,
    prices_file: str | None,
    keys_file: str | None,
    as_json: bool,
) -> None:
    """The configured models (or every priced one), their prices and whether keys are set.

    Prices are US dollars per million tokens.
    """
    values: dict[str, Any] = load_config_file(config_file) if config_file else {}
    for name, value in (
        ("models", list(models)),
        ("base_url", base_url),
        ("prices_file", prices_file),
        ("keys_file", keys_file),
    ):
        if value:
            values[name] = value
    settings = apply_overrides(RunSettings(), values, "settings")
    prices = PriceTable.load(settings.prices_file)
    names = [m for m in settings.models if m != "offline"]
    configured = bool(names)
    specs = [parse_model(m) for m in names] if configured else []
    if not configured:
        specs = [parse_model(key) for key in prices.prices]
    rows: list[dict[str, Any]] = []
    for spec in specs:
        price = prices.lookup(spec)
        rows.append(
            {
                "model": spec.key,
                "input_usd_per_mtok": price.input if price else None,
                "output_usd_per_mtok": price.output if price else None,
                "priced": price is not None,
                "key": _key_state(spec, settings),
                "endpoint": (openai_base_url(settings) or "default")
                if spec.provider == "openai"
                else "default",
            }
        )
    picked = auto_pick(settings)
    default = (
        f"{picked[0].key} ({picked[1]})"
        if picked
        else "the offline mutator (no API key found; "
        + ", ".join(f"${ENV_VARS[p]} would pick {p}:{m}" for p, m in DEFAULT_MODELS.items())
        + ")"
    )
    if as_json:
        emit_json({"configured": configured, "models": rows, "default_without_model": default})
        return
    table(
        ["model", "input $/Mtok", "output $/Mtok", "key", "endpoint"],
        [
            [
                r["model"],
                _price(r["input_usd_per_mtok"]),
                _price(r["output_usd_per_mtok"]),
                r["key"],
                r["endpoint"],
            ]
            for r in rows
        ],
    )
    unpriced = [r["model"] for r in rows if not r["priced"]]
    if unpriced:
        click.echo(f"warning: no price for {', '.join(unpriced)}: their calls count as $0")
    if not configured:
        click.echo(f"with no --model, a run uses {default}")
