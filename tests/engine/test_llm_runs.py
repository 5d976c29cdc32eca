"""Whole runs with language models: the real SDK clients against the stub endpoint, the
process sandbox, and the archive - budgets, call limits, failing endpoints, resume."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from adrs.archive.models import LLMCall
from adrs.archive.store import Archive
from adrs.engine.runner import RunResult, resume_run, start_run
from adrs.llm.prices import PriceTable
from adrs.llm.spec import parse_model
from adrs.llm.stub_server import Reply, StubRequest, StubServer
from tests.support.llm import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    running_stub,
    step_patch,
    step_responder,
    write_step_problem,
)

pytestmark = pytest.mark.slow
MINI, HAIKU = "openai:gpt-5-mini", "anthropic:claude-haiku-4-5"


def run(problem: Path, db: Path, stub: StubServer, **settings: Any) -> RunResult:
    overrides = {
        "sandbox": "process",
        "base_url": stub.openai_base_url,
        "llm_backoff_s": 0.01,
        "llm_timeout_s": 20.0,
        **settings,
    }
    return start_run(problem, overrides, db=str(db))


def calls(archive: Archive, run_id: str) -> list[LLMCall]:
    with archive.session() as s:
        return list(s.query(LLMCall).filter(LLMCall.run_id == run_id).order_by(LLMCall.id))


def test_a_budget_that_runs_out_mid_run_stops_proposals_and_ends_cleanly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    problem = write_step_problem(tmp_path / "step")
    improve = step_responder({"gpt-5-mini", "claude-haiku-4-5"})

    def expensive(request: StubRequest) -> Reply:
        reply = improve(request)
        reply.tokens_in, reply.tokens_out = 20_000, 1_500
        return reply

    with running_stub(monkeypatch, tmp_path, responder=expensive) as stub:
        result = run(
            problem,
            tmp_path / "a.db",
            stub,
            models=[MINI, HAIKU],
            iterations=200,
            budget_usd=0.25,
            max_output_tokens=2000,
        )
    archive = Archive(str(tmp_path / "a.db"))
    row = archive.get_run(result.run_id)
    recorded = calls(archive, result.run_id)
    assert result.stop_reason.startswith("budget of $0.25 reached: $")
    assert row.status == "stopped" and row.stop_reason == result.stop_reason
    stops = [e.message for e in archive.events(result.run_id) if e.kind == "stop"]
    assert stops == [result.stop_reason]
    # Never past the budget, and every cent accounted for.
    assert 0.15 < row.cost_usd <= 0.25
    assert row.cost_usd == pytest.approx(sum(c.cost_usd for c in recorded))
    prices = PriceTable.load()
    for call in recorded:
        assert call.cost_usd == pytest.approx(
            prices.cost(parse_model(call.model), call.tokens_in, call.tokens_out)
        )
    assert len(recorded) == len(stub.requests) == row.iterations < 200
    assert row.tokens_in == sum(r.tokens_in for r in stub.requests)
    assert row.tokens_out == sum(r.tokens_out for r in stub.requests)
    assert {c.model for c in recorded} == {MINI, HAIKU}
    # In-flight work finished: nothing is left pending.
    states = Counter(p.state for p in archive.programs(result.run_id))
    assert set(states) <= {"evaluated", "rejected"}
    assert result.best_score is not None and result.best_score > 1


def test_max_llm_calls_makes_exactly_that_many_calls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    problem = write_step_problem(tmp_path / "step")
    with running_stub(monkeypatch, tmp_path, responder=step_responder({"gpt-5-mini"})) as stub:
        result = run(
            problem, tmp_path / "a.db", stub, models=[MINI], iterations=50, max_llm_calls=7
        )
    assert result.stop_reason == "limit of 7 model calls reached"
    assert len(stub.requests) == 7
    archive = Archive(str(tmp_path / "a.db"))
    assert len(calls(archive, result.run_id)) == 7


def test_failed_answers_are_recorded_rejections_with_their_reasons(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    problem = write_step_problem(tmp_path / "step")
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(
            None,
            "I would rather discuss the weather.",
            Reply(garbage=True),
            step_patch(41, 42),
            "<<<<<<< SEARCH\n# EVOLVE-BLOCK-END\n=======\n>>>>>>> REPLACE\n",
            Reply(status=429, headers={"Retry-After": "0"}),
            step_patch(0, 5),
        )
        result = run(
            problem,
            tmp_path / "a.db",
            stub,
            models=[MINI],
            iterations=5,
            proposal_slots=1,
            rewrite_rate=0.0,
            fix_rate=0.0,
            crossover_rate=0.0,
        )
    archive = Archive(str(tmp_path / "a.db"))
    programs = archive.programs(result.run_id)[1:]
    reasons = [p.reason for p in programs]
    assert reasons[0] == "no code in response"
    assert reasons[1] is not None and reasons[1].startswith("malformed response")
    assert reasons[2] == "block 1: search text not found in parent"
    assert reasons[3] is not None and "EVOLVE-BLOCK" in reasons[3]
    assert [p.state for p in programs] == ["rejected"] * 4 + ["evaluated"]
    assert programs[4].score == 5.5  # the 429 was retried and its answer applied
    attempts = [c.attempts for c in calls(archive, result.run_id)]
    assert attempts == [1, 1, 1, 1, 2]


def test_a_dead_endpoint_stops_the_run_resumably_and_resume_continues(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    problem = write_step_problem(tmp_path / "step")
    up = {"yes": False}
    improve = step_responder({"claude-haiku-4-5"})

    def flaky(request: StubRequest) -> Reply:
        return improve(request) if up["yes"] else Reply(status=500, message="down")

    db = tmp_path / "a.db"
    with running_stub(monkeypatch, tmp_path, responder=flaky) as stub:
        stopped = run(
            problem,
            db,
            stub,
            models=[HAIKU],
            iterations=12,
            llm_retries=1,
            llm_max_failures=3,
            proposal_slots=1,
        )
        archive = Archive(str(db))
        assert stopped.stop_reason.startswith(
            f"mutator unavailable: model {HAIKU} benched: 3 failed calls in a row; "
            "last error: HTTP 500: down (gave up after 2 attempts)"
        )
        assert archive.get_run(stopped.run_id).status == "stopped"
        assert len(stub.requests) == 6  # three calls of two attempts; no spinning
        up["yes"] = True
        resumed = resume_run(stopped.run_id, db=str(db))
    assert resumed.stop_reason == "completed 12 iterations"
    row = archive.get_run(stopped.run_id)
    assert row.status == "finished" and row.iterations == 12
    states = [p.state for p in archive.programs(stopped.run_id)[1:]]
    assert states[:3] == ["rejected"] * 3 and states[3:] == ["evaluated"] * 9


def test_the_bandit_favours_the_improving_model_and_resumes_what_it_learnt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    problem = write_step_problem(tmp_path / "step")
    db = tmp_path / "a.db"
    with running_stub(monkeypatch, tmp_path, responder=step_responder({"gpt-5-mini"})) as stub:
        first = run(
            problem,
            db,
            stub,
            models=[MINI, HAIKU],
            model_selection="bandit",
            iterations=30,
        )
        archive = Archive(str(db))
        before = Counter(c.model for c in calls(archive, first.run_id))
        assert before[MINI] > 2 * before[HAIKU]
        resume_run(first.run_id, db=str(db), iterations=40)
    recorded = calls(archive, first.run_id)
    assert len(recorded) == 40
    restored = [e.message for e in archive.events(first.run_id) if e.kind == "models"]
    assert restored == ["model statistics restored from 30 recorded calls"]
    # After resume no model is "not tried yet": the statistics came back.
    assert all(c.choice_reason != "bandit: not tried yet" for c in recorded[30:])
    after = Counter(c.model for c in recorded[30:])
    assert after[MINI] > after[HAIKU]


def test_api_keys_reach_neither_the_archive_nor_the_sandbox(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed = """
import os

# EVOLVE-BLOCK-START
def solve(x):
    return len(os.environ.get("OPENAI_API_KEY", "") + os.environ.get("ANTHROPIC_API_KEY", ""))
# EVOLVE-BLOCK-END
"""
    problem = write_step_problem(tmp_path / "leak", seed=seed)
    db = tmp_path / "a.db"
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(
            None,
            Reply(status=401, message=f"Incorrect API key provided: {OPENAI_KEY}"),
            Reply(status=401, message=f"invalid x-api-key {ANTHROPIC_KEY}"),
        )
        result = run(problem, db, stub, models=[MINI, HAIKU], iterations=4, proposal_slots=1)
    assert result.seed_score == 0.0  # the candidate saw no key
    archive = Archive(str(db))
    archive.close()
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("a.db*"))
    assert b"[redacted]" in blob
    assert OPENAI_KEY.encode() not in blob and ANTHROPIC_KEY.encode() not in blob


def test_a_fix_edits_the_failed_program_and_links_to_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    problem = write_step_problem(tmp_path / "step")
    broken = '<<<<<<< SEARCH\nSTEP = 0\n=======\nSTEP = "oops"\n>>>>>>> REPLACE\n'
    repair = '<<<<<<< SEARCH\nSTEP = "oops"\n=======\nSTEP = 7\n>>>>>>> REPLACE\n'
    with running_stub(monkeypatch, tmp_path) as stub:
        stub.script(None, broken, "Nothing to add.", repair)
        result = run(
            problem,
            tmp_path / "a.db",
            stub,
            models=[MINI],
            iterations=3,
            islands=1,
            proposal_slots=1,
            evaluation_slots=1,
            ordered=True,
            fix_rate=1.0,
            crossover_rate=0.0,
            rewrite_rate=0.0,
        )
    archive = Archive(str(tmp_path / "a.db"))
    first, second, third = archive.programs(result.run_id)[1:]
    assert first.status == "error" and second.state == "rejected"
    (call,) = archive.calls(third.id)
    assert call.template == "fix" and 'STEP = "oops"' in call.prompt
    assert third.status == "ok" and third.score == 7.5 and third.parent_id == first.parent_id
    edges = {(e.parent_id, e.kind) for e in archive.lineage(third.id)}
    assert (first.id, "fix") in edges and (first.parent_id, "parent") in edges
