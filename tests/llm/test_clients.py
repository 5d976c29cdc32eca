"""The provider clients and the retry layer, driven through the real openai and anthropic
SDKs against the local stub endpoint."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import pytest

from adrs.llm.anthropic_client import AnthropicClient
from adrs.llm.client import ChatClient
from adrs.llm.openai_client import OpenAIClient
from adrs.llm.retry import Answer, CallFailed, RetryPolicy, call_with_retries
from adrs.llm.spec import ModelSpec
from adrs.llm.stub_server import Reply, StubServer, estimate_tokens

KEY = "sk-test-client-0123456789"


@pytest.fixture
def server() -> Iterator[StubServer]:
    with StubServer() as stub:
        yield stub


def make(provider: str, stub: StubServer, model: str = "m", **options: object) -> ChatClient:
    spec = ModelSpec(provider, model)
    settings: dict[str, object] = {"max_output_tokens": 256, "temperature": None, **options}
    if provider == "openai":
        return OpenAIClient(spec, api_key=KEY, base_url=stub.openai_base_url, **settings)  # type: ignore[arg-type]
    return AnthropicClient(spec, api_key=KEY, base_url=stub.anthropic_base_url, **settings)  # type: ignore[arg-type]


def ask(
    client: ChatClient, policy: RetryPolicy | None = None, waits: list[float] | None = None
) -> Answer:
    async def sleep(seconds: float) -> None:
        if waits is not None:
            waits.append(seconds)

    async def go() -> Answer:
        try:
            return await call_with_retries(
                client,
                "system text",
                "user prompt",
                policy or RetryPolicy(deadline_s=10, retries=3, backoff_s=0.01),
                random.Random(0),
                sleep=sleep,
            )
        finally:
            await client.close()

    return asyncio.run(go())


PROVIDERS = pytest.mark.parametrize("provider", ["openai", "anthropic"])


@PROVIDERS
def test_an_answer_carries_the_text_and_the_tokens_the_endpoint_reported(
    server: StubServer, provider: str
) -> None:
    server.script(None, Reply(text="the answer", tokens_in=1234, tokens_out=56))
    answer = ask(make(provider, server))
    assert answer.completion.text == "the answer"
    assert (answer.completion.tokens_in, answer.completion.tokens_out) == (1234, 56)
    assert answer.attempts == 1
    seen = server.requests[0]
    assert seen.api == provider
    assert seen.system == "system text" and seen.prompt == "user prompt"
    auth = seen.headers.get("authorization", "") + seen.headers.get("x-api-key", "")
    assert KEY in auth


@PROVIDERS
def test_usage_defaults_to_the_stubs_own_count(server: StubServer, provider: str) -> None:
    server.script(None, Reply(text="x" * 40))
    answer = ask(make(provider, server))
    assert answer.completion.tokens_out == estimate_tokens("x" * 40) == 10
    assert answer.completion.tokens_in == server.requests[0].tokens_in > 0


@PROVIDERS
def test_a_rate_limit_is_retried_after_the_wait_the_server_asks_for(
    server: StubServer, provider: str
) -> None:
    server.script(None, Reply(status=429, headers={"Retry-After": "2"}), Reply(text="ok"))
    waits: list[float] = []
    answer = ask(make(provider, server), waits=waits)
    assert answer.completion.text == "ok"
    assert answer.attempts == 2
    assert waits == [2.0]


@PROVIDERS
def test_server_errors_and_dropped_connections_are_retried_with_growing_backoff(
    server: StubServer, provider: str
) -> None:
    server.script(
        None, Reply(status=500), Reply(drop=True), Reply(status=503), Reply(text="finally")
    )
    waits: list[float] = []
    policy = RetryPolicy(deadline_s=10, retries=3, backoff_s=0.1)
    answer = ask(make(provider, server), policy, waits)
    assert answer.completion.text == "finally"
    assert answer.attempts == 4
    # Exponential with jitter: each wait within [0.5, 1] of 0.1 * 2**n.
    for n, wait in enumerate(waits):
        assert 0.05 * 2**n <= wait <= 0.1 * 2**n
    assert len(server.requests) == 4


@PROVIDERS
def test_a_call_gives_up_after_its_retries(server: StubServer, provider: str) -> None:
    server.script(None, *[Reply(status=500, message="boom")] * 3)
    policy = RetryPolicy(deadline_s=10, retries=2, backoff_s=0.01)
    with pytest.raises(CallFailed, match=r"HTTP 500.*boom.*gave up after 3 attempts") as info:
        ask(make(provider, server), policy)
    assert info.value.attempts == 3


@PROVIDERS
def test_a_client_error_is_not_retried(server: StubServer, provider: str) -> None:
    server.script(None, Reply(status=404, message="no such model"), Reply(text="unused"))
    with pytest.raises(
        CallFailed, match=r"HTTP 404.*no such model.*not retryable; 1 attempt"
    ) as info:
        ask(make(provider, server))
    assert info.value.attempts == 1 and len(server.requests) == 1


@PROVIDERS
def test_a_response_slower_than_the_deadline_fails_the_call(
    server: StubServer, provider: str
) -> None:
    server.script(None, Reply(text="too late", delay_s=3))
    policy = RetryPolicy(deadline_s=0.5, retries=3, backoff_s=0.01)
    with pytest.raises(CallFailed, match=r"timed out|deadline"):
        ask(make(provider, server), policy)


@PROVIDERS
def test_a_retry_after_beyond_the_deadline_ends_the_call_at_once(
    server: StubServer, provider: str
) -> None:
    server.script(None, Reply(status=429, headers={"Retry-After": "120"}), Reply(text="ok"))
    waits: list[float] = []
    policy = RetryPolicy(deadline_s=30, retries=3, backoff_s=0.01)
    with pytest.raises(CallFailed, match="deadline allows no retry"):
        ask(make(provider, server), policy, waits)
    assert waits == [] and len(server.requests) == 1


@PROVIDERS
def test_a_body_that_is_not_json_is_a_malformed_response(server: StubServer, provider: str) -> None:
    server.script(None, Reply(garbage=True), Reply(text="unused"))
    with pytest.raises(CallFailed, match="malformed response") as info:
        ask(make(provider, server))
    assert info.value.attempts == 1


@PROVIDERS
def test_truncated_and_empty_answers_are_reported_as_such(
    server: StubServer, provider: str
) -> None:
    server.script(None, Reply(text="<<<<<<< SEARCH\nx = 1", truncated=True), Reply(empty=True))
    client = make(provider, server)
    assert ask(client).completion.truncated
    empty = ask(make(provider, server)).completion
    assert empty.text == "" and not empty.truncated


@PROVIDERS
def test_a_refused_temperature_is_dropped_and_remembered(server: StubServer, provider: str) -> None:
    refusal = "Unsupported parameter: 'temperature' is not supported with this model."
    server.script(None, Reply(status=400, message=refusal), Reply(text="a"), Reply(text="b"))
    client = make(provider, server, temperature=0.7)

    async def twice() -> list[str]:
        policy = RetryPolicy(deadline_s=10, retries=0)
        out = []
        for _ in range(2):
            answer = await call_with_retries(client, "s", "p", policy, random.Random(0))
            out.append(answer.completion.text)
        await client.close()
        return out

    assert asyncio.run(twice()) == ["a", "b"]
    sent = [r.body.get("temperature") for r in server.requests]
    assert sent == [0.7, None, None]


def test_reasoning_models_are_sent_no_temperature(server: StubServer) -> None:
    server.script(None, Reply(text="a"), Reply(text="b"))
    ask(make("openai", server, model="gpt-5-mini", temperature=0.7))
    ask(make("openai", server, model="gpt-4.1", temperature=0.7))
    assert "temperature" not in server.requests[0].body
    assert server.requests[1].body["temperature"] == 0.7


def test_the_output_token_limit_switches_parameter_name_when_the_server_asks(
    server: StubServer,
) -> None:
    refusal = "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens' instead."
    server.script(None, Reply(status=400, message=refusal), Reply(text="ok"))
    answer = ask(make("openai", server, max_output_tokens=321))
    assert answer.completion.text == "ok"
    first, second = (r.body for r in server.requests)
    assert first["max_tokens"] == 321 and "max_completion_tokens" not in first
    assert second["max_completion_tokens"] == 321 and "max_tokens" not in second


def test_anthropic_requests_carry_the_output_limit_and_system_prompt(server: StubServer) -> None:
    server.script(None, Reply(text="ok"))
    ask(make("anthropic", server, max_output_tokens=777))
    body = server.requests[0].body
    assert body["max_tokens"] == 777 and body["system"] == "system text"
