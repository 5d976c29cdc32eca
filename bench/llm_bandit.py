"""The bandit's model shares when one model always improves its parent and one never does.

Two stub models at the same price (a model and its dated snapshot) answer every proposal
of a real run: the first with a patch that raises the parent's score, the second with one
that lowers it. The run uses the process sandbox and the real SDK clients. It prints each
model's share of the calls under the bandit and, for contrast, under an equal-weight draw,
and checks the dollars recorded against the token counts the stub reported.

    python bench/llm_bandit.py [--iterations 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adrs.archive.models import LLMCall
from adrs.archive.store import Archive
from adrs.engine.runner import start_run
from adrs.llm.prices import PriceTable
from adrs.llm.spec import parse_model
from adrs.llm.stub_server import StubServer
from tests.support.llm import step_responder, write_step_problem

GOOD, BAD = "openai:gpt-5-mini", "openai:gpt-5-mini-2025-08-07"


def one_run(selection: str, iterations: int, work: Path) -> None:
    problem = work / f"step-{selection}"
    write_step_problem(problem)
    db = work / f"{selection}.db"
    with StubServer(responder=step_responder({"gpt-5-mini"})) as stub:
        started = time.perf_counter()
        result = start_run(
            problem,
            {
                "models": [GOOD, BAD],
                "model_selection": selection,
                "iterations": iterations,
                "base_url": stub.openai_base_url,
                "sandbox": "process",
                "executor": "inline",  # a local Ray adds start-up time, not information
            },
            db=str(db),
        )
        wall = time.perf_counter() - started
        requests = list(stub.requests)
    archive = Archive(str(db))
    with archive.session() as s:
        calls = list(s.query(LLMCall).filter(LLMCall.run_id == result.run_id))
    shares = Counter(c.model for c in calls)
    improved = Counter()
    for c in calls:
        program = archive.get_program(c.program_id) if c.program_id else None
        if program is not None and program.parent_id and program.score is not None:
            parent = archive.get_program(program.parent_id)
            if parent.score is not None and program.score > parent.score:
                improved[c.model] += 1
    prices = PriceTable.load()
    expected = sum(
        prices.cost(parse_model(f"openai:{r.model}"), r.tokens_in, r.tokens_out) for r in requests
    )
    recorded = archive.get_run(result.run_id).cost_usd
    print(f"{selection}: {len(calls)} calls in {wall:.1f} s, best score {result.best_score:g}")
    for model in (GOOD, BAD):
        print(
            f"  {model:30s} {shares[model]:4d} calls ({shares[model] / len(calls):6.1%}), "
            f"{improved[model]} improved their parent"
        )
    tokens_in = sum(r.tokens_in for r in requests)
    tokens_out = sum(r.tokens_out for r in requests)
    print(
        f"  dollars recorded ${recorded:.6f}; from the stub's reported tokens "
        f"({tokens_in} in, {tokens_out} out) x the price table: ${expected:.6f} "
        f"(difference ${abs(recorded - expected):.2e})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        os.environ.update(HOME=work, OPENAI_API_KEY="sk-bench-openai")
        for selection in ("bandit", "weighted"):
            one_run(selection, args.iterations, Path(work))


if __name__ == "__main__":
    main()
