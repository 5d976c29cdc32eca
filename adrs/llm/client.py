"""The chat-client contract shared by the providers, and how SDK failures are classified.

A client sends one system prompt and one user prompt and returns a :class:`Completion`;
every failure becomes a :class:`CallError` that says whether trying again may help.
Retries, backoff and the deadline live in :mod:`adrs.llm.retry`, not in the SDKs (whose
own retries are switched off), so that every provider behaves the same.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Any, Protocol

from adrs.llm.spec import ModelSpec

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
MAX_ERROR_CHARS = 400


@dataclass(frozen=True)
class Completion:
    """A model's answer and the tokens the endpoint reported for it."""

    text: str
    tokens_in: int
    tokens_out: int
    truncated: bool = False  # stopped at the output-token limit


class CallError(Exception):
    """One failed request; ``retryable`` for rate limits, 5xx, timeouts, lost connections."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class ChatClient(Protocol):
    """One model behind one endpoint."""

    spec: ModelSpec

    async def complete(self, system: str, prompt: str, timeout_s: float) -> Completion: ...

    async def close(self) -> None: ...


def retry_after_s(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or a date)."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def _server_message(exc: Any) -> str:
    """The error message the server sent, without the SDK's wrapping of the whole body."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return str(exc.message)


def classify(exc: BaseException, sdk: Any) -> CallError:
    """Map an exception raised by the ``openai`` or ``anthropic`` SDK to a :class:`CallError`."""
    if isinstance(exc, sdk.APITimeoutError):
        return CallError("request timed out", retryable=True)
    if isinstance(exc, sdk.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = f" ({type(cause).__name__})" if cause is not None else ""
        return CallError(f"connection failed{detail}", retryable=True)
    if isinstance(exc, sdk.APIStatusError):
        status = int(exc.status_code)
        return CallError(
            _short(f"HTTP {status}: {_server_message(exc)}"),
            retryable=status in RETRYABLE_STATUS,
            retry_after=retry_after_s(getattr(exc.response, "headers", None)),
            status=status,
        )
    return CallError(_short(f"malformed response: {type(exc).__name__}: {exc}"), retryable=False)


def mentions(error: CallError, word: str) -> bool:
    """Whether a 400 answer complains about parameter ``word`` (a model's quirk)."""
    return error.status == 400 and word in str(error).lower()
