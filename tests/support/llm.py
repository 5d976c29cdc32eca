"""Helpers for tests that drive the real SDK clients against the stub endpoint."""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from adrs.llm.stub_server import Reply, StubRequest, StubServer

OPENAI_KEY = "sk-test-openai-7f3a9c1e5b"
ANTHROPIC_KEY = "sk-ant-test-2d8e6f4a1c"

# A problem whose score is the constant STEP (plus the input): any larger STEP is better.
STEP_TOML = """
name = "step"
entry = "solve"
[objective]
metric = "value"
direction = "maximize"
[[stages]]
name = "full"
split = "search"
[limits]
timeout_s = 10
memory_mb = 512
output_mb = 1
processes = 16
"""
STEP_VERIFIER = """
from evaluators.verdict import InvalidOutput

def cases(split, seed):
    return [{"id": f"{split}-{i}", "input": {"x": i}} for i in range(2)]

def score(case, output):
    if not isinstance(output, (int, float)) or isinstance(output, bool):
        raise InvalidOutput(f"expected a number, got {type(output).__name__}")
    return {"value": float(output)}
"""
STEP_SEED = """
# EVOLVE-BLOCK-START
STEP = 0


def solve(x):
    return STEP + x
# EVOLVE-BLOCK-END
"""


def write_step_problem(
    root: Path, prompt: str = "Make {{ problem.metric }} large.\n", seed: str = STEP_SEED
) -> Path:
    root.mkdir(parents=True)
    (root / "problem.toml").write_text(STEP_TOML)
    (root / "verifier.py").write_text(STEP_VERIFIER)
    (root / "initial.py").write_text(textwrap.dedent(seed).lstrip())
    (root / "prompt.md").write_text(prompt)
    return root


def step_patch(old: int, new: int) -> str:
    return (
        "I will change the step.\n\n```python\n<<<<<<< SEARCH\n"
        f"STEP = {old}\n=======\nSTEP = {new}\n>>>>>>> REPLACE\n```\n"
    )


def step_responder(improving: set[str]) -> Callable[[StubRequest], Reply | None]:
    """Answers each request with a patch of the parent's STEP: up for the models in
    ``improving``, down for the others. The last three digits of every new step count the
    answers, so no two answers make the same program."""
    counter = itertools.count(1)

    def respond(request: StubRequest) -> Reply:
        found = re.search(r"^STEP = (-?\d+)$", request.prompt, re.MULTILINE)
        if found is None:
            return Reply(text="I see no STEP to change.")
        old, k = int(found.group(1)), next(counter) % 1000
        up = request.model in improving
        new = (old // 1000 + (1 if up else -1)) * 1000 + k
        return Reply(text=step_patch(old, new))

    return respond


@contextmanager
def running_stub(
    monkeypatch: pytest.MonkeyPatch, home: Path, **options: Any
) -> Iterator[StubServer]:
    """A stub endpoint with both providers' keys set and both SDKs pointed at it; the
    home folder is ``home`` so that no real keys file is read."""
    with StubServer(**options) as server:
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.delenv("ADRS_KEYS_FILE", raising=False)
        monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
        monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
        monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.anthropic_base_url)
        yield server
