"""Retries with exponential backoff and jitter, ``Retry-After`` honoured, one deadline.

The deadline covers the whole call, every attempt and every wait included, so that a
stalled endpoint can never hold a proposal longer than ``deadline_s``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from adrs.llm.client import CallError, ChatClient, Completion


@dataclass(frozen=True)
class RetryPolicy:
    deadline_s: float = 300.0
    retries: int = 4  # attempts after the first
    backoff_s: float = 1.0  # the first wait; doubles each time, with jitter
    max_backoff_s: float = 60.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The wait after failed attempt number ``attempt`` (0-based): full-range jitter."""
        ceiling = min(self.max_backoff_s, self.backoff_s * 2**attempt)
        return float(ceiling * (0.5 + rng.random() / 2))


class CallFailed(Exception):
    """A call that did not succeed within its retries or its deadline."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


@dataclass(frozen=True)
class Answer:
    completion: Completion
    attempts: int


async def call_with_retries(
    client: ChatClient,
    system: str,
    prompt: str,
    policy: RetryPolicy,
    rng: random.Random,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Answer:
    """Ask ``client`` until it answers, a failure is final, or the deadline passes."""
    deadline = clock() + policy.deadline_s
    attempt = 0
    while True:
        attempt += 1
        remaining = deadline - clock()
        try:
            # wait_for enforces the deadline even on an endpoint that trickles bytes.
            completion = await asyncio.wait_for(
                client.complete(system, prompt, remaining), timeout=remaining
            )
            return Answer(completion, attempt)
        except TimeoutError:
            error = CallError(
                f"no answer within the {policy.deadline_s:g} s deadline", retryable=True
            )
        except CallError as exc:
            error = exc
        tries = "1 attempt" if attempt == 1 else f"{attempt} attempts"
        if not error.retryable:
            raise CallFailed(f"{error} (not retryable; {tries})", attempt)
        if attempt > policy.retries:
            raise CallFailed(f"{error} (gave up after {tries})", attempt)
        wait = policy.backoff(attempt - 1, rng)
        if error.retry_after is not None:
            wait = max(wait, error.retry_after)
        if clock() + wait >= deadline:
            raise CallFailed(
                f"{error} (the {policy.deadline_s:g} s deadline allows no retry after {tries})",
                attempt,
            )
        await sleep(wait)
