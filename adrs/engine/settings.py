"""Run settings: defaults, a problem's `[settings]`, a TOML config file, then the CLI.

Every setting listed here is used by the engine; an unknown key is an error, not a silent
no-op.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from adrs.errors import ConfigError
from adrs.search.selection import STRATEGIES

SANDBOXES = ("auto", "process", "docker")
MODEL_SELECTIONS = ("weighted", "bandit")
EXECUTORS = ("inline", "ray")


def default_eval_slots() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class RunSettings:
    """Everything that shapes a run; stored with the run so that resume uses the same."""

    iterations: int = 100  # proposals after the seed program
    seed: int = 0
    models: list[str] = field(default_factory=list)  # empty: pick automatically
    islands: int = 2
    island_capacity: int = 100
    feature_bins: int = 8
    elite_size: int = 10
    selection: str = "power_law"
    power_law_alpha: float = 1.0
    tournament_size: int = 3
    exploration: float = 0.2
    exploitation: float = 0.2
    inspirations_best: int = 2
    inspirations_diverse: int = 2
    migration_interval: int = 25
    migration_count: int = 1
    failures_in_prompt: int = 3
    proposal_slots: int = 4
    evaluation_slots: int = field(default_factory=default_eval_slots)
    ordered: bool | None = None  # None: ordered when every mutator is deterministic
    max_wall_s: float | None = None
    target_score: float | None = None
    patience: int | None = None  # stop after this many admissions without improvement
    budget_usd: float | None = None
    max_llm_calls: int | None = None
    sandbox: str = "auto"
    # "ray" (a local Ray, or a cluster), or "inline" (threads here) for tests and tiny runs;
    # $ADRS_EXECUTOR changes the default.
    executor: str = field(default_factory=lambda: os.environ.get("ADRS_EXECUTOR", "ray"))
    ray_address: str | None = None  # None: $RAY_ADDRESS, else an embedded local Ray
    base_url: str | None = None
    validate_top: int = 3
    # Language models (adrs/mutate/llm.py); prices in adrs/llm/prices.toml.
    model_weights: list[float] = field(default_factory=list)  # one per model; empty: equal
    model_selection: str = "weighted"  # weighted draw, or a bandit on gain per dollar
    bandit_exploration: float = 0.5  # the bandit's UCB exploration constant
    max_output_tokens: int = 8192
    temperature: float | None = None  # None: the model's default (reasoning models: always)
    llm_timeout_s: float = 300.0  # one deadline per call, every retry and wait included
    llm_retries: int = 4  # retries after the first request (429, 5xx, timeouts, drops)
    llm_backoff_s: float = 1.0  # the first wait between retries; doubles, with jitter
    llm_max_failures: int = 5  # failed calls in a row before a model is benched
    prices_file: str | None = None  # a TOML file of prices added to the built-in table
    keys_file: str | None = None  # a TOML file of API keys (default ~/.config/adrs/keys.toml)
    fix_rate: float = 0.1  # share of proposals that fix a recently failed program
    crossover_rate: float = 0.1  # share that combine the parent with an inspiration
    rewrite_rate: float = 0.1  # share that ask for a full rewrite instead of a diff

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def check(self, where: str = "settings") -> RunSettings:
        def bad(msg: str) -> ConfigError:
            return ConfigError(f"{where}: {msg}")

        for name in (
            "iterations",
            "islands",
            "island_capacity",
            "feature_bins",
            "elite_size",
            "proposal_slots",
            "evaluation_slots",
            "tournament_size",
        ):
            if getattr(self, name) < (0 if name == "iterations" else 1):
                raise bad(f"'{name}' must be at least {0 if name == 'iterations' else 1}")
        for name in ("exploration", "exploitation"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise bad(f"'{name}' must be between 0 and 1")
        if self.exploration + self.exploitation > 1.0:
            raise bad("'exploration' + 'exploitation' must not exceed 1")
        if self.selection not in STRATEGIES:
            raise bad(f"'selection' must be one of {', '.join(STRATEGIES)}, got {self.selection!r}")
        if self.sandbox not in SANDBOXES:
            raise bad(f"'sandbox' must be one of {', '.join(SANDBOXES)}, got {self.sandbox!r}")
        if self.executor not in EXECUTORS:
            raise bad(f"'executor' must be one of {', '.join(EXECUTORS)}, got {self.executor!r}")
        if self.model_selection not in MODEL_SELECTIONS:
            raise bad(
                f"'model_selection' must be one of {', '.join(MODEL_SELECTIONS)}, "
                f"got {self.model_selection!r}"
            )
        if self.model_weights:
            if len(self.model_weights) != len(self.models):
                raise bad(
                    f"'model_weights' has {len(self.model_weights)} entries for "
                    f"{len(self.models)} models"
                )
            if any(w < 0 for w in self.model_weights) or not any(w > 0 for w in self.model_weights):
                raise bad("'model_weights' must be non-negative with at least one positive")
        for name in ("fix_rate", "crossover_rate", "rewrite_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise bad(f"'{name}' must be between 0 and 1")
        if self.fix_rate + self.crossover_rate + self.rewrite_rate > 1.0:
            raise bad("'fix_rate' + 'crossover_rate' + 'rewrite_rate' must not exceed 1")
        if self.temperature is not None and not 0.0 <= self.temperature <= 2.0:
            raise bad("'temperature' must be between 0 and 2")
        for name in ("max_output_tokens", "llm_max_failures"):
            if getattr(self, name) < 1:
                raise bad(f"'{name}' must be at least 1")
        if self.llm_retries < 0:
            raise bad("'llm_retries' must not be negative")
        if self.bandit_exploration < 0 or self.llm_backoff_s < 0:
            raise bad("'bandit_exploration' and 'llm_backoff_s' must not be negative")
        if self.ray_address and self.executor != "ray":
            raise bad(f"'ray_address' needs executor 'ray', not {self.executor!r}")
        for name in ("max_wall_s", "budget_usd", "llm_timeout_s"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise bad(f"'{name}' must be positive")
        for name in ("patience", "max_llm_calls"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise bad(f"'{name}' must be at least 1")
        return self


_FIELDS = {f.name: f for f in fields(RunSettings)}


def _coerce(name: str, value: Any, where: str) -> Any:
    default = RunSettings().__dict__[name]
    if name == "models":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: 'models' must be a list of model names")
        return value
    if name == "model_weights":
        if not isinstance(value, list) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
        ):
            raise ConfigError(f"{where}: 'model_weights' must be a list of numbers")
        return [float(v) for v in value]
    if name == "ordered":
        if value is not None and not isinstance(value, bool):
            raise ConfigError(f"{where}: 'ordered' must be true or false")
        return value
    annotation = str(_FIELDS[name].type)
    if isinstance(value, bool) or value is None:
        if value is None and "None" in annotation:
            return None
        raise ConfigError(f"{where}: '{name}' must be {annotation}, got {value!r}")
    if annotation.startswith("int"):
        if not isinstance(value, int):
            raise ConfigError(f"{where}: '{name}' must be an integer, got {value!r}")
        return value
    if annotation.startswith("float"):
        if not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: '{name}' must be a number, got {value!r}")
        return float(value)
    if annotation.startswith("str"):
        if not isinstance(value, str):
            raise ConfigError(f"{where}: '{name}' must be a string, got {value!r}")
        return value
    return value if default is None else type(default)(value)


def apply_overrides(settings: RunSettings, values: dict[str, Any], where: str) -> RunSettings:
    """Return ``settings`` with ``values`` applied; unknown keys are errors."""
    updates = {}
    for key, value in values.items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise ConfigError(f"{where}: unknown setting '{key}'")
        updates[name] = _coerce(name, value, where)
    return dataclasses.replace(settings, **updates)


def load_config_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML config; settings may sit at the top level or under `[run]`."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    except (UnicodeDecodeError, IsADirectoryError):
        raise ConfigError(f"{p}: not a readable text file") from None
    if "run" in data:
        extra = sorted(set(data) - {"run"})
        if extra:
            raise ConfigError(f"{p}: unknown table or key '{extra[0]}' beside [run]")
        data = data["run"]
        if not isinstance(data, dict):
            raise ConfigError(f"{p}: [run] must be a table")
    # Unknown keys and wrong types are reported against this file here; merged with the
    # command line later, they could only be blamed on "settings".
    apply_overrides(RunSettings(), data, str(p))
    return data


def settings_from_dict(data: dict[str, Any], where: str = "stored settings") -> RunSettings:
    return apply_overrides(RunSettings(), data, where).check(where)
