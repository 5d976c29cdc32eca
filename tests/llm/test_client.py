"""Reading a server's Retry-After in each of its forms."""

from __future__ import annotations

import email.utils
import time

import pytest

from adrs.llm.client import retry_after_s


def test_retry_after_in_seconds_milliseconds_or_as_a_date() -> None:
    assert retry_after_s({"retry-after": "3"}) == 3.0
    assert retry_after_s({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert retry_after_s({"retry-after": when}) == pytest.approx(30, abs=2)
    assert retry_after_s({"retry-after": "soon"}) is None
    assert retry_after_s({}) is None and retry_after_s(None) is None
