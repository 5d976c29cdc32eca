"""Dollars recorded against the token counts the endpoint reported, with a budget.

A real run on a small problem with two models of two providers (the OpenAI and the
Anthropic wire formats, the real SDK clients) against the local stub, which reports
``--tokens-in`` / ``--tokens-out`` per answer. It prints, per model, the tokens the stub
reported, those tokens times the price table, and the dollars the archive recorded; then
the run's total against its budget and why it stopped.

    python bench/llm_dollars.py [--budget-usd 0.25] [--tokens-in 20000] [--tokens-out 1500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adrs.archive.models import LLMCall
from adrs.archive.store import Archive
from adrs.engine.runner import start_run
from adrs.llm.prices import PriceTable
from adrs.llm.spec import parse_model
from adrs.llm.stub_server import Reply, StubRequest, StubServer
from tests.support.llm import step_responder, write_step_problem

MODELS = ("openai:gpt-5-mini", "anthropic:claude-haiku-4-5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-usd", type=float, default=0.25)
    parser.add_argument("--tokens-in", type=int, default=20_000)
    parser.add_argument("--tokens-out", type=int, default=1_500)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()
    improve = step_responder({parse_model(m).name for m in MODELS})

    def respond(request: StubRequest) -> Reply:
        reply = improve(request)
        reply.tokens_in, reply.tokens_out = args.tokens_in, args.tokens_out
        return reply

    with tempfile.TemporaryDirectory() as work, StubServer(responder=respond) as stub:
        os.environ.update(
            HOME=work,
            OPENAI_API_KEY="sk-bench-openai",
            ANTHROPIC_API_KEY="sk-bench-anthropic",
            ANTHROPIC_BASE_URL=stub.anthropic_base_url,
        )
        db = str(Path(work) / "dollars.db")
        result = start_run(
            write_step_problem(Path(work) / "step"),
            {
                "models": list(MODELS),
                "iterations": args.iterations,
                "budget_usd": args.budget_usd,
                "max_output_tokens": args.tokens_out,
                "base_url": stub.openai_base_url,
                "sandbox": "process",
                "executor": "inline",
            },
            db=db,
        )
        archive = Archive(db)
        with archive.session() as s:
            calls = list(s.query(LLMCall).filter(LLMCall.run_id == result.run_id))
        run = archive.get_run(result.run_id)
        reported: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for r in stub.requests:
            key = f"{r.api}:{r.model}"
            reported[key][0] += 1
            reported[key][1] += r.tokens_in
            reported[key][2] += r.tokens_out
    prices = PriceTable.load()
    print(
        f"{'model':28} {'calls':>5} {'tokens in':>10} {'tokens out':>10} "
        f"{'tokens x price':>14} {'recorded':>10}"
    )
    for model in MODELS:
        n, t_in, t_out = reported[model]
        expected = prices.cost(parse_model(model), t_in, t_out)
        recorded = sum(c.cost_usd for c in calls if c.model == model)
        print(f"{model:28} {n:5d} {t_in:10d} {t_out:10d} ${expected:13.6f} ${recorded:9.6f}")
    total = sum(c.cost_usd for c in calls)
    print(
        f"run total ${run.cost_usd:.6f} (sum of calls ${total:.6f}) against a budget of "
        f"${args.budget_usd:g}; {run.status}: {run.stop_reason}"
    )


if __name__ == "__main__":
    main()
