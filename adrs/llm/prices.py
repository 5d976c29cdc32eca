"""The price table: dollars per million tokens per model, from a TOML file users can edit.

The package ships ``prices.toml``; a user file of the same form (``prices_file``) adds or
replaces entries. A model with no price costs $0 and the run says so.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from adrs.errors import ConfigError
from adrs.llm.spec import PROVIDERS, ModelSpec

DEFAULT_PRICES = Path(__file__).with_name("prices.toml")


@dataclass(frozen=True)
class Price:
    """US dollars per million input and output tokens."""

    input: float
    output: float

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return (tokens_in * self.input + tokens_out * self.output) / 1_000_000


def _parse(path: Path) -> dict[str, Price]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: price file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (UnicodeDecodeError, IsADirectoryError):
        raise ConfigError(f"{path}: not a readable text file") from None
    table: dict[str, Price] = {}
    for provider, models in data.items():
        if provider not in PROVIDERS or not isinstance(models, dict):
            raise ConfigError(
                f"{path}: [{provider}] is not a provider table (known: {', '.join(PROVIDERS)})"
            )
        for name, entry in models.items():
            where = f"{path}: [{provider}] {name!r}"
            if not isinstance(entry, dict) or set(entry) != {"input", "output"}:
                raise ConfigError(f"{where}: expected {{ input = N, output = N }}")
            values = [entry["input"], entry["output"]]
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                raise ConfigError(f"{where}: prices must be numbers")
            if any(v < 0 for v in values):
                raise ConfigError(f"{where}: prices must not be negative")
            table[f"{provider}:{name}"] = Price(float(values[0]), float(values[1]))
    return table


class PriceTable:
    """Looks up a model's price: exact name first, then the base of a dated snapshot."""

    def __init__(self, prices: dict[str, Price]) -> None:
        self.prices = prices

    @classmethod
    def load(cls, extra: str | Path | None = None) -> PriceTable:
        prices = _parse(DEFAULT_PRICES)
        if extra:
            prices.update(_parse(Path(extra)))
        return cls(prices)

    def lookup(self, model: ModelSpec) -> Price | None:
        exact = self.prices.get(model.key)
        if exact is not None:
            return exact
        # claude-sonnet-4-5-20250929 -> claude-sonnet-4-5; gpt-4o-2024-08-06 -> gpt-4o
        best: tuple[int, Price] | None = None
        for key, price in self.prices.items():
            rest = model.key[len(key) :]
            snapshot = model.key.startswith(key) and rest[:1] == "-" and rest[1:2].isdigit()
            if snapshot and (best is None or len(key) > best[0]):
                best = (len(key), price)
        return best[1] if best else None

    def cost(self, model: ModelSpec, tokens_in: int, tokens_out: int) -> float:
        price = self.lookup(model)
        return price.cost(tokens_in, tokens_out) if price else 0.0
