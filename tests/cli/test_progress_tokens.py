"""The progress line shows model calls and tokens once a model has been called."""

from __future__ import annotations

from adrs.cli.progress import describe
from adrs.engine.loop import Progress


def progress(**fields: object) -> Progress:
    base: dict[str, object] = {
        "run_id": "r1",
        "proposed": 5,
        "total": 10,
        "evaluated": 4,
        "in_flight": 1,
        "statuses": {"ok": 4},
        "best": 2.0,
        "seed": 1.0,
        "cost_usd": 0.0123,
        "elapsed_s": 3.0,
        "rate": 1.5,
    }
    return Progress(**{**base, **fields})  # type: ignore[arg-type]


def test_calls_and_tokens_follow_the_cost() -> None:
    line = describe(progress(llm_calls=5, tokens_in=34_100, tokens_out=812))
    assert "| $0.0123 (5 calls, 34.1k in/812 out tok) |" in line


def test_an_offline_run_shows_no_tokens() -> None:
    assert "tok" not in describe(progress())
