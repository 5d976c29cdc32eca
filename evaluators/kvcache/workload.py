"""A seeded generator of LLM-serving traffic whose prompts share prefixes.

Four kinds of sessions interleave in time, each re-sending prefixes the way real
deployments do:

- chat: a popular system prompt, then turns that re-send the whole conversation after a
  user's think time (tens of seconds);
- agent: a tool-description prompt and a task, then steps that append a tool call and its
  (often long) result and re-send everything after the tool's latency (seconds);
- rag: a prompt template, a few documents drawn from a corpus with skewed popularity,
  and a fresh question, sent once;
- api: a shared few-shot system prompt with a fresh input, sent once.

Prompts are sequences of content segments; a 512-token block's id is a hash of everything
up to its end, so two prompts share exactly the blocks of their common prefix, as in the
Mooncake traces. The output is raw requests in the Mooncake format (``timestamp`` in ms,
``input_length``, ``output_length``, ``hash_ids``), ready for ``trace.canonicalize``.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

from evaluators.kvcache.trace import BLOCK_TOKENS

Segment = tuple[int, int]  # (content id, tokens)


@dataclass(frozen=True)
class Mix:
    """Relative arrival rates of session kinds, and the traffic's overall pace."""

    chat: float = 0.35
    agent: float = 0.2
    rag: float = 0.25
    api: float = 0.2
    sessions_per_s: float = 1.2  # new sessions per second, all kinds together
    think_s: float = 90.0  # a chat user's mean pause between turns
    tool_s: float = 6.0  # an agent tool's mean latency


MIXES = {
    "balanced": Mix(),
    "chat": Mix(chat=0.7, agent=0.1, rag=0.1, api=0.1, sessions_per_s=0.8),
    "agent": Mix(chat=0.15, agent=0.55, rag=0.15, api=0.15, sessions_per_s=0.5),
    "rag": Mix(chat=0.15, agent=0.1, rag=0.6, api=0.15, sessions_per_s=2.0),
    "api": Mix(chat=0.15, agent=0.1, rag=0.15, api=0.6, sessions_per_s=2.5),
}


def _lognormal(rng: random.Random, mean: float, sigma: float, lo: int, hi: int) -> int:
    mu = math.log(mean) - sigma * sigma / 2
    return int(min(hi, max(lo, rng.lognormvariate(mu, sigma))))


class _Zipf:
    """Picks item k of n with probability proportional to 1 / (k + 1) ** alpha."""

    def __init__(self, n: int, alpha: float) -> None:
        weights = [1.0 / (k + 1) ** alpha for k in range(n)]
        self.cum = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> int:
        return min(len(self.cum) - 1, _bisect(self.cum, rng.random() * self.cum[-1]))


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum)
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


class _Content:
    """Fresh content ids and the pools of shared prefixes (prompts, templates, documents)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids = itertools.count(1)
        self.system = [self.new(_lognormal(rng, 1200, 0.7, 200, 6000)) for _ in range(40)]
        self.tools = [self.new(_lognormal(rng, 4000, 0.4, 1500, 9000)) for _ in range(4)]
        self.few_shot = [self.new(_lognormal(rng, 2000, 0.5, 600, 7000)) for _ in range(20)]
        self.templates = [self.new(_lognormal(rng, 400, 0.5, 100, 1500)) for _ in range(5)]
        self.docs = [self.new(_lognormal(rng, 900, 0.5, 150, 3000)) for _ in range(20000)]
        self.system_pick = _Zipf(len(self.system), 1.2)
        self.tools_pick = _Zipf(len(self.tools), 1.0)
        self.few_shot_pick = _Zipf(len(self.few_shot), 1.1)
        self.template_pick = _Zipf(len(self.templates), 1.0)
        self.doc_pick = _Zipf(len(self.docs), 0.7)

    def new(self, tokens: int) -> Segment:
        return (next(self.ids), tokens)


class _Hasher:
    """Block ids for prompts: one id per distinct (previous block, content of this block)."""

    def __init__(self) -> None:
        self.ids: dict[tuple[int, tuple[tuple[int, int, int], ...]], int] = {}

    def blocks(self, prompt: list[Segment]) -> tuple[list[int], int]:
        out: list[int] = []
        pieces: list[tuple[int, int, int]] = []
        room = BLOCK_TOKENS
        total = 0
        for seg, tokens in prompt:
            start = 0
            while start < tokens:
                take = min(room, tokens - start)
                pieces.append((seg, start, start + take))
                start += take
                room -= take
                if room == 0:
                    out.append(self._id(out, pieces))
                    pieces, room = [], BLOCK_TOKENS
            total += tokens
        if pieces:
            out.append(self._id(out, pieces))
        return out, total

    def _id(self, out: list[int], pieces: list[tuple[int, int, int]]) -> int:
        key = (out[-1] if out else 0, tuple(pieces))
        return self.ids.setdefault(key, len(self.ids) + 1)


def _chat(c: _Content, rng: random.Random, mix: Mix) -> Any:
    history = [c.system[c.system_pick.pick(rng)]]
    for _ in range(min(30, 1 + int(rng.expovariate(1 / 3.0)))):
        history.append(c.new(_lognormal(rng, 2000, 1.3, 5, 24000)))
        output = _lognormal(rng, 320, 0.8, 5, 2000)
        yield list(history), output, rng.expovariate(1 / mix.think_s) + output * 0.02
        history.append(c.new(output))


def _agent(c: _Content, rng: random.Random, mix: Mix) -> Any:
    history = [c.tools[c.tools_pick.pick(rng)], c.new(_lognormal(rng, 500, 0.8, 50, 4000))]
    for _ in range(min(40, 2 + int(rng.expovariate(1 / 8.0)))):
        output = _lognormal(rng, 120, 0.6, 10, 800)
        yield list(history), output, rng.expovariate(1 / mix.tool_s) + output * 0.02
        history.append(c.new(output))
        history.append(c.new(_lognormal(rng, 2500, 1.1, 20, 24000)))


def _rag(c: _Content, rng: random.Random, mix: Mix) -> Any:
    docs: list[Segment] = []
    wanted = rng.randint(3, 5)
    while len(docs) < wanted:
        doc = c.docs[c.doc_pick.pick(rng)]
        if doc not in docs:
            docs.append(doc)
    prompt = [c.templates[c.template_pick.pick(rng)], *docs]
    prompt.append(c.new(_lognormal(rng, 60, 0.7, 8, 400)))
    yield prompt, _lognormal(rng, 200, 0.7, 10, 1200), 0.0


def _api(c: _Content, rng: random.Random, mix: Mix) -> Any:
    prompt = [c.few_shot[c.few_shot_pick.pick(rng)], c.new(_lognormal(rng, 4000, 1.0, 10, 24000))]
    yield prompt, _lognormal(rng, 60, 0.8, 1, 600), 0.0


KINDS = {"chat": _chat, "agent": _agent, "rag": _rag, "api": _api}


def generate(seed: Any, requests: int, mix: Mix | None = None) -> list[dict[str, Any]]:
    """``requests`` raw requests in time order, deterministic for a given ``seed``."""
    mix = mix or Mix()
    rng = random.Random(f"kvcache-workload:{seed}")
    content = _Content(rng)
    hasher = _Hasher()
    kinds = list(KINDS)
    weights = [getattr(mix, k) for k in kinds]
    events: list[tuple[float, int, Any]] = []  # (time, tie-breaker, session)
    order = itertools.count()
    now = 0.0
    out: list[dict[str, Any]] = []
    next_start = rng.expovariate(mix.sessions_per_s)
    while len(out) < requests:
        if not events or next_start <= events[0][0]:
            kind = rng.choices(kinds, weights)[0]
            session = KINDS[kind](content, rng, mix)
            heapq.heappush(events, (next_start, next(order), session))
            next_start += rng.expovariate(mix.sessions_per_s)
            continue
        now, _, session = heapq.heappop(events)
        step = next(session, None)
        if step is None:
            continue
        prompt, output, pause = step
        hash_ids, tokens = hasher.blocks(prompt)
        out.append(
            {
                "timestamp": int(now * 1000),
                "input_length": tokens,
                "output_length": output,
                "hash_ids": hash_ids,
            }
        )
        heapq.heappush(events, (now + pause, next(order), session))
    return out
