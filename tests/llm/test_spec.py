"""Model names: provider:model."""

from __future__ import annotations

import pytest

from adrs.errors import ConfigError
from adrs.llm.spec import parse_model


def test_the_model_part_may_hold_colons() -> None:
    spec = parse_model("openai:qwen2.5-coder:7b")
    assert (spec.provider, spec.name, spec.key) == ("openai", "qwen2.5-coder:7b", spec.key)
    assert spec.key == "openai:qwen2.5-coder:7b"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gpt-5", "expected provider:model"),
        ("openai:", "expected provider:model"),
        ("mistral:large", "unknown provider 'mistral'"),
    ],
)
def test_a_bad_name_says_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_model(text)
