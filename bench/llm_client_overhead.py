"""Per-call overhead of the model-client layer, against the local stub endpoint.

For each provider it times N sequential calls through (0) the official SDK's async client
alone, as a baseline, (1) the client layer - that SDK client plus our retry and deadline
wrapper and response checks - and (2) a whole proposal of the language-model mutator
(template rendering, the call, accounting). The stub's own
handling time, measured inside the stub, is subtracted, so the figures are what the
client side costs per call over loopback HTTP.

    python bench/llm_client_overhead.py [--calls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adrs.engine.settings import RunSettings
from adrs.llm.retry import RetryPolicy, call_with_retries
from adrs.llm.stub_server import Reply, StubServer
from adrs.mutate.base import MutationRequest, ProblemContext, ProgramView
from adrs.mutate.llm import LLMMutator
from adrs.mutate.llm_builder import build_llm_mutator

ANSWER = "<<<<<<< SEARCH\nSTEP = 1\n=======\nSTEP = 2\n>>>>>>> REPLACE\n"
PARENT = ProgramView(
    id="p" * 32,
    source="# EVOLVE-BLOCK-START\nSTEP = 1\n\ndef solve(x):\n    return STEP + x\n"
    "# EVOLVE-BLOCK-END\n",
    score=1.0,
    metrics={"value": 1.0},
    status="ok",
    feedback={"cases": [{"id": "c0", "value": 1.0}]},
)
CONTEXT = ProblemContext("bench", "Make value large.", "python", "value", "maximize", "solve")


def summary(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    return (
        f"{name:44s} mean {statistics.fmean(ms):6.2f} ms  median {statistics.median(ms):6.2f} ms"
        f"  p95 {p95:6.2f} ms  (n={len(ms)})"
    )


async def measure(stub: StubServer, mutator: LLMMutator, model: str, calls: int) -> None:
    arm = next(a for a in mutator.ensemble.arms if a.key == model)
    client = mutator._client(arm.spec)
    policy = RetryPolicy(deadline_s=30, retries=0)
    rng = random.Random(0)
    for _ in range(20):  # warm up: connection pool, imports, pydantic models
        await call_with_retries(client, "s", "p", policy, rng)
    bare: list[float] = []
    sdk = client._client  # the SDK's own async client, for the baseline
    for _ in range(calls):
        before = len(stub.requests)
        start = time.perf_counter()
        if arm.spec.provider == "openai":
            await sdk.chat.completions.create(
                model=arm.spec.name,
                messages=[
                    {"role": "system", "content": "system"},
                    {"role": "user", "content": "prompt " * 200},
                ],
                max_tokens=8192,
            )
        else:
            await sdk.messages.create(
                model=arm.spec.name,
                max_tokens=8192,
                system="system",
                messages=[{"role": "user", "content": "prompt " * 200}],
            )
        bare.append(time.perf_counter() - start - stub.requests[before].handled_s)
    raw: list[float] = []
    for _ in range(calls):
        before = len(stub.requests)
        start = time.perf_counter()
        await call_with_retries(client, "system", "prompt " * 200, policy, rng)
        raw.append(time.perf_counter() - start - stub.requests[before].handled_s)
    whole: list[float] = []
    for seq in range(calls):
        request = MutationRequest(seq=seq, island=0, problem=CONTEXT, parent=PARENT, rng_seed=seq)
        before = len(stub.requests)
        start = time.perf_counter()
        await mutator.propose(request)
        whole.append(time.perf_counter() - start - stub.requests[before].handled_s)
    stub_ms = [r.handled_s * 1000 for r in stub.requests[-calls:]]
    print(summary(f"{model}: the SDK call alone (baseline)", bare))
    print(summary(f"{model}: client layer (SDK + retry wrapper)", raw))
    print(summary(f"{model}: whole proposal (templates + call)", whole))
    print(f"{'':44s} stub's own time per call, excluded: {statistics.fmean(stub_ms):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with StubServer(answers=[Reply(text=ANSWER)]) as stub, tempfile.TemporaryDirectory() as home:
        os.environ.update(
            HOME=home,
            OPENAI_API_KEY="sk-bench-openai",
            ANTHROPIC_API_KEY="sk-bench-anthropic",
            ANTHROPIC_BASE_URL=stub.anthropic_base_url,
        )
        models = ["openai:gpt-5-mini", "anthropic:claude-haiku-4-5"]
        settings = RunSettings(models=models, base_url=stub.openai_base_url)
        built = build_llm_mutator(models, settings)
        assert built is not None and isinstance(built[0], LLMMutator)
        mutator = built[0]

        async def run() -> None:
            for model in models:
                await measure(stub, mutator, model, args.calls)
            await mutator.aclose()

        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, stub latency 0")
        asyncio.run(run())


if __name__ == "__main__":
    main()
