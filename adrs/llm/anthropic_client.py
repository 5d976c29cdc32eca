"""``anthropic:MODEL`` through the official SDK's async client (the Messages API)."""

from __future__ import annotations

from typing import Any

import anthropic

from adrs.llm.client import CallError, Completion, classify, mentions
from adrs.llm.spec import ModelSpec


class AnthropicClient:
    """Messages API; a temperature the model refuses is dropped once and for all."""

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
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key or "no-key", base_url=base_url, max_retries=0
        )
        self.max_output_tokens = max_output_tokens
        self.temperature = temperature

    async def complete(self, system: str, prompt: str, timeout_s: float) -> Completion:
        for _ in range(2):
            extra: dict[str, Any] = {}
            if self.temperature is not None:
                extra["temperature"] = self.temperature
            try:
                response = await self._client.messages.create(
                    model=self.spec.name,
                    max_tokens=self.max_output_tokens,
                    system=system,
                    messages=[{"role": "user", "content": prompt}],
                    timeout=timeout_s,
                    extra_body=extra or None,
                )
            except Exception as exc:
                error = classify(exc, anthropic)
                if self.temperature is not None and mentions(error, "temperature"):
                    self.temperature = None
                    continue
                raise error from None
            return _completion(response)
        raise CallError("the server refused the request's parameters", retryable=False)

    async def close(self) -> None:
        await self._client.close()


def _completion(response: Any) -> Completion:
    try:
        text = "".join(
            block.text for block in response.content if getattr(block, "type", "") == "text"
        )
        usage = response.usage
        tokens_in, tokens_out = int(usage.input_tokens), int(usage.output_tokens)
    except (AttributeError, TypeError, ValueError) as exc:
        raise CallError(
            f"malformed response: no content or usage ({type(exc).__name__})", retryable=False
        ) from None
    return Completion(text, tokens_in, tokens_out, truncated=response.stop_reason == "max_tokens")
