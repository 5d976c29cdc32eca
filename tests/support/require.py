"""Skipping for missing components: a skip on a user's machine, a failure under CI."""

from __future__ import annotations

import os

import pytest


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(available: bool, reason: str) -> None:
    """Skip the test when ``available`` is false, unless CI=true, where that fails it."""
    if available:
        return
    if under_ci():
        pytest.fail(f"required under CI=true but unavailable: {reason}", pytrace=False)
    pytest.skip(reason)
