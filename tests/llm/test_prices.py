"""The price table: built-in prices, snapshots, user overrides and unknown models."""

from __future__ import annotations

from pathlib import Path

import pytest

from adrs.errors import ConfigError
from adrs.llm.prices import PriceTable
from adrs.llm.spec import ModelSpec, parse_model


def test_cost_is_tokens_times_the_price_per_million() -> None:
    table = PriceTable.load()
    price = table.lookup(ModelSpec("anthropic", "claude-sonnet-4-5"))
    assert price is not None
    cost = table.cost(ModelSpec("anthropic", "claude-sonnet-4-5"), 10_000, 2_000)
    assert cost == pytest.approx((10_000 * price.input + 2_000 * price.output) / 1e6)


def test_a_dated_snapshot_takes_its_base_models_price_but_a_sibling_does_not() -> None:
    table = PriceTable.load()
    base = table.lookup(parse_model("anthropic:claude-sonnet-4-5"))
    assert table.lookup(parse_model("anthropic:claude-sonnet-4-5-20250929")) == base
    assert table.lookup(parse_model("openai:gpt-5-mini")) != table.lookup(
        parse_model("openai:gpt-5")
    )
    assert table.lookup(parse_model("openai:gpt-5-turbo")) is None


def test_an_unknown_model_costs_nothing() -> None:
    assert PriceTable.load().cost(parse_model("openai:llama3:8b"), 10**6, 10**6) == 0.0


def test_a_user_file_adds_and_replaces_prices(tmp_path: Path) -> None:
    extra = tmp_path / "prices.toml"
    extra.write_text(
        '[openai]\n"llama3:8b" = { input = 0.1, output = 0.2 }\n'
        '"gpt-5-mini" = { input = 9, output = 9 }\n'
    )
    table = PriceTable.load(extra)
    assert table.cost(parse_model("openai:llama3:8b"), 10**6, 10**6) == pytest.approx(0.3)
    assert table.cost(parse_model("openai:gpt-5-mini"), 10**6, 0) == pytest.approx(9)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[openai]\nx = 1\n", "expected { input = N, output = N }"),
        ('[openai]\nx = { input = "a", output = 1 }\n', "prices must be numbers"),
        ("[openai]\nx = { input = -1, output = 1 }\n", "must not be negative"),
        ("[mistral]\nx = { input = 1, output = 1 }\n", "[mistral] is not a provider"),
        ("[openai\n", "not valid TOML"),
    ],
)
def test_a_broken_price_file_is_a_one_line_error_naming_it(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "prices.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        PriceTable.load(path)
    assert str(path) in str(info.value) and message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_missing_price_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="price file not found"):
        PriceTable.load(tmp_path / "nope.toml")
