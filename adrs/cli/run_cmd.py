"""`adrs run` and `adrs resume`."""

from __future__ import annotations

import tomllib
from typing import Any

import click

from adrs.cli.output import emit_json, fmt, relative
from adrs.cli.progress import ProgressPrinter
from adrs.engine.runner import RunResult, resume_run, start_run
from adrs.engine.settings import EXECUTORS, SANDBOXES, load_config_file
from adrs.errors import ConfigError

# CLI option -> setting name, for options whose value goes straight into the settings.
OPTION_SETTINGS = {
    "iterations": "iterations",
    "seed": "seed",
    "sandbox": "sandbox",
    "executor": "executor",
    "ray_address": "ray_address",
    "base_url": "base_url",
    "budget_usd": "budget_usd",
    "max_llm_calls": "max_llm_calls",
    "max_wall_s": "max_wall_s",
    "target_score": "target_score",
    "patience": "patience",
    "islands": "islands",
    "eval_slots": "evaluation_slots",
    "proposal_slots": "proposal_slots",
    "max_output_tokens": "max_output_tokens",
    "temperature": "temperature",
    "llm_timeout_s": "llm_timeout_s",
}


def _parse_set(items: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE")
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw
    return out


def _say(message: str) -> None:
    click.echo(message, err=True)


def report(result: RunResult, as_json: bool) -> None:
    if as_json:
        emit_json(result.__dict__)
        return
    click.echo(f"seed score:   {fmt(result.seed_score)} ({result.metric})")
    click.echo(
        f"best score:   {fmt(result.best_score)} "
        f"{relative(result.best_score, result.seed_score)} "
        f"(program {result.best_program_id})"
    )
    click.echo(
        f"evaluations:  {result.evaluations} in {result.elapsed_s:.1f} s ({result.rate:.2f}/s)"
    )
    click.echo(f"stopped:      {result.stop_reason}")
    click.echo(f"archive:      {result.archive_url} (run {result.run_id})")


@click.command("run")
@click.argument("problem_dir", type=click.Path(file_okay=False, path_type=str))
@click.option("--model", "models", multiple=True, help="provider:model, or 'offline'; repeatable")
@click.option(
    "--model-weight",
    "model_weights",
    multiple=True,
    type=click.FloatRange(min=0),
    help="weight of each --model, in order (default: equal)",
)
@click.option("--bandit", is_flag=True, help="learn which model gains most per dollar (UCB)")
@click.option("--max-output-tokens", type=click.IntRange(min=1), help="per model answer")
@click.option("--temperature", type=click.FloatRange(0, 2), help="sampling temperature")
@click.option(
    "--llm-timeout-s",
    type=click.FloatRange(min=0, min_open=True),
    help="deadline of one model call, retries included",
)
@click.option("--iterations", type=click.IntRange(min=0), help="proposals after the seed")
@click.option("--seed", type=int, help="random seed of the search")
@click.option("--db", help="archive URL or SQLite path (default: $ADRS_DB or runs/archive.db)")
@click.option("--sandbox", type=click.Choice(SANDBOXES))
@click.option("--executor", type=click.Choice(EXECUTORS))
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="TOML file with settings (top level or [run])",
)
@click.option("--ray-address", help="join this Ray cluster (executor ray)")
@click.option("--base-url", help="OpenAI-compatible endpoint for openai:* models")
@click.option("--budget-usd", type=click.FloatRange(min=0, min_open=True))
@click.option("--max-llm-calls", type=click.IntRange(min=1))
@click.option("--max-wall-s", type=click.FloatRange(min=0, min_open=True))
@click.option("--target-score", type=float)
@click.option("--patience", type=click.IntRange(min=1))
@click.option("--islands", type=click.IntRange(min=1))
@click.option("--eval-slots", type=click.IntRange(min=1), help="evaluations in flight")
@click.option("--proposal-slots", type=click.IntRange(min=1), help="proposals in flight")
@click.option("--set", "extra", multiple=True, metavar="KEY=VALUE", help="any other setting")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.option("--quiet", is_flag=True, help="no progress display")
def run_cmd(
    problem_dir: str,
    models: tuple[str, ...],
    model_weights: tuple[float, ...],
    bandit: bool,
    db: str | None,
    config_file: str | None,
    extra: tuple[str, ...],
    as_json: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Evolve the program in PROBLEM_DIR and keep every attempt in the archive."""
    overrides: dict[str, Any] = {}
    if config_file:
        overrides.update(load_config_file(config_file))
    for option, setting in OPTION_SETTINGS.items():
        if options.get(option) is not None:
            overrides[setting] = options[option]
    if models:
        overrides["models"] = list(models)
    if model_weights:
        overrides["model_weights"] = list(model_weights)
    if bandit:
        overrides["model_selection"] = "bandit"
    overrides.update(_parse_set(extra))
    printer = ProgressPrinter(interval_s=None)
    try:
        result = start_run(
            problem_dir,
            overrides,
            db=db,
            notify=None if quiet else _say,
            on_progress=None if quiet else printer,
        )
    finally:
        printer.finish()
    report(result, as_json)


@click.command("resume")
@click.argument("run_id")
@click.option("--db", help="archive URL or SQLite path")
@click.option("--iterations", type=click.IntRange(min=0), help="raise the run's iteration limit")
@click.option("--budget-usd", type=click.FloatRange(min=0, min_open=True), help="raise the budget")
@click.option("--max-llm-calls", type=click.IntRange(min=1), help="raise the call limit")
@click.option("--ray-address", help="evaluate on this Ray cluster this time")
@click.option("--json", "as_json", is_flag=True)
@click.option("--quiet", is_flag=True)
def resume_cmd(
    run_id: str,
    db: str | None,
    iterations: int | None,
    budget_usd: float | None,
    max_llm_calls: int | None,
    ray_address: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Continue RUN_ID from its archive: nothing lost, nothing counted twice."""
    printer = ProgressPrinter()
    try:
        result = resume_run(
            run_id,
            db=db,
            iterations=iterations,
            budget_usd=budget_usd,
            max_llm_calls=max_llm_calls,
            ray_address=ray_address,
            notify=None if quiet else _say,
            on_progress=None if quiet else printer,
        )
    finally:
        printer.finish()
    report(result, as_json)
