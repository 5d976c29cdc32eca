"""The language-model mutator against the stub endpoint, through the real SDK clients."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adrs.archive.store import Archive
from adrs.engine.settings import RunSettings
from adrs.llm.prices import PriceTable
from adrs.llm.spec import parse_model
from adrs.llm.stub_server import Reply, StubServer
from adrs.mutate.base import (
    MutationRequest,
    MutatorUnavailable,
    ProblemContext,
    ProgramView,
    Proposal,
)
from adrs.mutate.llm import LLMMutator
from adrs.mutate.registry import make_mutator
from tests.support.llm import OPENAI_KEY, running_stub, step_patch

PARENT = ProgramView(
    id="parent0123456789",
    source="# EVOLVE-BLOCK-START\nSTEP = 3\n\ndef solve(x):\n    return STEP\n# EVOLVE-BLOCK-END\n",
    score=3.0,
    metrics={"value": 3.0},
    status="ok",
)
BROKEN = ProgramView(
    id="broken0123456789",
    source=PARENT.source.replace("return STEP", "return STEP +"),
    score=None,
    status="error",
    reason="SyntaxError",
)
CONTEXT = ProblemContext("toy", "Make value big.", "python", "value", "maximize", "solve")


def build(stub: StubServer, models: list[str], **settings: object) -> LLMMutator:
    base = {"llm_backoff_s": 0.01, "llm_timeout_s": 10.0, "base_url": stub.openai_base_url}
    run_settings = RunSettings(models=models, **{**base, **settings})  # type: ignore[arg-type]
    mutator, _ = make_mutator(models, run_settings)
    assert isinstance(mutator, LLMMutator)
    return mutator


def propose(mutator: LLMMutator, seq: int = 1, **request: object) -> Proposal:
    fields: dict[str, object] = {"seq": seq, "island": 0, "problem": CONTEXT, "parent": PARENT}
    fields.update(request)

    async def go() -> Proposal:
        try:
            return await mutator.propose(MutationRequest(**fields))  # type: ignore[arg-type]
        finally:
            await mutator.aclose()

    return asyncio.run(go())


def test_a_call_records_prompt_response_tokens_dollars_and_why_the_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(None, Reply(text=step_patch(3, 4), tokens_in=5000, tokens_out=700))
        proposal = propose(
            build(stub, ["openai:gpt-5-mini"], rewrite_rate=0.0, fix_rate=0.0, crossover_rate=0.0)
        )
    call = proposal.call
    price = PriceTable.load().lookup(parse_model("openai:gpt-5-mini"))
    assert price is not None
    assert call.model == "openai:gpt-5-mini" and call.template == "diff"
    assert call.choice_reason == "the only model"
    assert (call.tokens_in, call.tokens_out) == (5000, 700)
    assert call.cost_usd == pytest.approx((5000 * price.input + 700 * price.output) / 1e6)
    assert call.prompt == stub.requests[0].prompt  # exactly what was sent
    assert call.system_prompt == stub.requests[0].system
    assert call.response == step_patch(3, 4) and proposal.response == step_patch(3, 4)
    assert call.error is None and call.attempts == 1 and call.latency_s > 0
    assert proposal.mutation == "llm:diff"


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(empty=True), "empty response"),
        (Reply(text="<<<<<<< SEARCH\nSTEP = 3\n", truncated=True), "response truncated"),
        (Reply(garbage=True), "malformed response"),
    ],
)
def test_empty_truncated_and_malformed_answers_are_failed_calls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, reply: Reply, error: str
) -> None:
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(None, reply)
        proposal = propose(build(stub, ["openai:gpt-5-mini"]))
    assert proposal.call.error is not None and error in proposal.call.error
    assert proposal.response == ""  # nothing is patched from a failed call


def test_a_key_echoed_by_the_endpoint_never_reaches_the_record(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(None, Reply(status=401, message=f"Incorrect API key provided: {OPENAI_KEY}"))
        proposal = propose(build(stub, ["openai:gpt-5-mini"]))
    assert proposal.call.error is not None
    assert "HTTP 401" in proposal.call.error and "[redacted]" in proposal.call.error
    assert OPENAI_KEY not in repr(proposal)


def test_one_model_failing_repeatedly_makes_the_mutator_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(None, *[Reply(status=503)] * 20)
        mutator = build(stub, ["openai:gpt-5-mini"], llm_retries=1, llm_max_failures=2)
        first = propose(mutator, 1)
        assert first.call.error is not None and first.call.attempts == 2
        with pytest.raises(MutatorUnavailable, match="benched: 2 failed calls in a row") as info:
            propose(mutator, 2)
    assert info.value.call is not None and info.value.call.model == "openai:gpt-5-mini"
    assert "HTTP 503" in (info.value.call.error or "")


def test_a_model_whose_endpoint_is_down_is_benched_and_the_other_carries_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, archive: Archive
) -> None:
    run_id = archive.create_run(
        problem_name="toy",
        problem_path=str(tmp_path),
        problem_digest="0",
        objective_metric="value",
        objective_direction="maximize",
        settings={},
        status="running",
        verified=True,
        sandbox_backend="process",
        executor="inline",
        seed=0,
        host="test",
        version="0",
    )
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script("claude-haiku-4-5", *[Reply(drop=True)] * 10)
        mutator = build(
            stub,
            ["anthropic:claude-haiku-4-5", "openai:gpt-5-mini"],
            model_weights=[1.0, 0.0001],
            llm_retries=0,
            llm_max_failures=2,
        )
        mutator.attach(CONTEXT, archive, run_id)
        calls = [propose(mutator, seq).call for seq in range(1, 6)]
    assert [c.model for c in calls[:2]] == ["anthropic:claude-haiku-4-5"] * 2
    assert all("connection failed" in (c.error or "") for c in calls[:2])
    assert {c.model for c in calls[2:]} == {"openai:gpt-5-mini"}
    assert all(c.error is None for c in calls[2:])
    assert calls[2].choice_reason == (
        "the only model not benched; benched: anthropic:claude-haiku-4-5"
    )
    events = [e.message for e in archive.events(run_id) if e.kind == "model"]
    assert events == [
        "model anthropic:claude-haiku-4-5 benched: 2 failed calls in a row; "
        "last error: connection failed (RemoteProtocolError) (gave up after 1 attempt)"
    ]


def test_a_fix_proposal_targets_the_failed_program(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(None, "fixed")
        mutator = build(
            stub, ["openai:gpt-5-mini"], fix_rate=1.0, crossover_rate=0.0, rewrite_rate=0.0
        )
        proposal = propose(mutator, failures=(BROKEN,))
    assert proposal.call.template == "fix" and proposal.base == BROKEN
    assert "return STEP +" in proposal.call.prompt


def test_a_crossover_names_its_second_parent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = ProgramView(id="other0123456789a", source="STEP = 8\n", score=8.0)
    with running_stub(monkeypatch, tmp_path) as stub:
        mutator = build(
            stub, ["openai:gpt-5-mini"], crossover_rate=1.0, fix_rate=0.0, rewrite_rate=0.0
        )
        proposal = propose(mutator, inspirations=(other,))
    assert proposal.call.template == "crossover"
    assert proposal.crossover_ids == ("other0123456789a",)


def test_an_unfenced_whole_program_is_taken_as_a_rewrite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    program = (
        "# EVOLVE-BLOCK-START\nSTEP = 5\n\ndef solve(x):\n    return STEP\n# EVOLVE-BLOCK-END\n"
    )
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(None, program)
        proposal = propose(build(stub, ["openai:gpt-5-mini"]))
    assert proposal.call.response == program
    assert proposal.response.startswith("```python\n") and "STEP = 5" in proposal.response


def test_the_cost_ceiling_covers_the_full_output_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(None, Reply(text="x", tokens_in=1000, tokens_out=10))
        mutator = build(stub, ["openai:gpt-5-mini"], max_output_tokens=1000)
        price = PriceTable.load().lookup(parse_model("openai:gpt-5-mini"))
        assert price is not None
        assert mutator.cost_ceiling() == pytest.approx(price.cost(8000, 1000))
        propose(mutator)
        assert mutator.cost_ceiling() == pytest.approx(price.cost(1250, 1000))
