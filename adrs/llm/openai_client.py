"""``openai:MODEL`` through the official SDK's async client: the OpenAI API or any
compatible server (vLLM, Ollama, OpenRouter, ...) given a base URL."""

from __future__ import annotations

import re
from typing import Any

import openai

from adrs.llm.client import CallError, Completion, classify, mentions
from adrs.llm.spec import ModelSpec

# Reasoning models refuse a temperature other than the default.
REASONING = re.compile(r"^(o\d|gpt-5)")


class OpenAIClient:
    """Chat Completions; adapts once to a server that rejects a parameter, then remembers."""

    def __init__(
        self,
        spec: ModelSpec,
        *,
        api_key: str | None,
        base_url: str | None,
        max_output_tokens: int,
        temperature: float | None,
    ) -> None:
        self.spec = spec
        # Local servers need no key, but the SDK insists on one.
        self._client = openai.AsyncOpenAI(
            api_key=api_key or "no-key", base_url=base_url, max_retries=0
        )
        self.max_output_tokens = max_output_tokens
        self.temperature = None if REASONING.match(spec.name) else temperature
        # The OpenAI API wants max_completion_tokens; many compatible servers max_tokens.
        self.tokens_param = "max_tokens" if base_url else "max_completion_tokens"

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {self.tokens_param: self.max_output_tokens}
        if self.temperature is not None:
            params["temperature"] = self.temperature
        return params

    def _adapt(self, error: CallError) -> bool:
        """Drop or rename a parameter the server refused; True when worth asking again."""
        if self.temperature is not None and mentions(error, "temperature"):
            self.temperature = None
            return True
        if mentions(error, self.tokens_param):
            self.tokens_param = (
                "max_tokens"
                if self.tokens_param == "max_completion_tokens"
                else "max_completion_tokens"
            )
            return True
        return False

    async def complete(self, system: str, prompt: str, timeout_s: float) -> Completion:
        for _ in range(3):  # at most two adaptations
            try:
                response = await self._client.chat.completions.create(
                    model=self.spec.name,
                    messages=[
                        {"role": "system", "content": system},
                        {"role": "user", "content": prompt},
                    ],
                    timeout=timeout_s,
                    **self._params(),
                )
            except Exception as exc:
                error = classify(exc, openai)
                if self._adapt(error):
                    continue
                raise error from None
            return _completion(response)
        raise CallError("the server refused every parameter variant", retryable=False)

    async def close(self) -> None:
        await self._client.close()


def _completion(response: Any) -> Completion:
    try:
        choice = response.choices[0]
        text = choice.message.content
        usage = response.usage
        tokens_in, tokens_out = int(usage.prompt_tokens), int(usage.completion_tokens)
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        raise CallError(
            f"malformed response: no choice, message or usage ({type(exc).__name__})",
            retryable=False,
        ) from None
    if not isinstance(text, str):
        text = ""
    return Completion(text, tokens_in, tokens_out, truncated=choice.finish_reason == "length")
