"""The prefix-cache engine: serves a trace request by request and asks a policy for victims.

Per request: the longest run of cached blocks from the prompt's start is a hit (its tokens
are served from cache); cached blocks further along the path (orphans whose ancestor was
evicted) are reused but do not count, since their KV state must be recomputed anyway; the
missing blocks are inserted in path order. When they do not fit, the policy names victims
among the *evictable* blocks: cached and not on the current request's path. If even
evicting every evictable block leaves too little room, the path's tail is not cached.

The same engine runs the candidate in the sandbox (``driver.py``), replays its decision
log on the host and runs the baselines, so every side applies identical rules.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from evaluators.kvcache.trace import Trace


class IllegalEviction(ValueError):
    """A policy named a victim that may not be evicted now; the message says why."""


class Block:
    """A cached block, with the features a policy may use (kept up to date by the engine)."""

    __slots__ = (
        "children",
        "depth",
        "hits",
        "id",
        "inserted",
        "last_access",
        "last_index",
        "parent",
        "tokens",
    )

    def __init__(self, bid: int, parent: int, depth: int, tokens: int, now: float, index: int):
        self.id = bid
        self.parent = parent  # -1 for a prompt's first block
        self.depth = depth  # position in the prompt, 0 first
        self.tokens = tokens
        self.hits = 0  # times reused while cached
        self.inserted = now  # trace time (s) it was computed
        self.last_access = now  # trace time (s) of its last use
        self.last_index = index  # index of the request that last used it
        self.children = 0  # cached blocks whose parent this is

    def __repr__(self) -> str:
        return f"Block(id={self.id}, depth={self.depth}, hits={self.hits})"


class Request:
    """The request being served: arrival time, sizes and its prompt's block path."""

    __slots__ = ("blocks", "hit_blocks", "index", "input_tokens", "output_tokens", "time")

    def __init__(self, trace: Trace, index: int) -> None:
        self.index = index
        self.time = trace.times[index]
        self.input_tokens = trace.input_tokens[index]
        self.output_tokens = trace.output_tokens[index]
        self.blocks = trace.blocks[index]
        self.hit_blocks = 0  # leading blocks found in cache


class CacheView:
    """What a policy sees of the cache: the cached blocks and who is pinned, nothing of
    the trace (an online policy must not know the requests still to come)."""

    __slots__ = ("blocks", "capacity", "now", "pinned")

    def __init__(self, blocks: dict[int, Block], capacity: int) -> None:
        self.blocks = blocks  # cached blocks by id
        self.capacity = capacity  # in blocks
        self.pinned: frozenset[int] = frozenset()  # cached blocks on the current path
        self.now = 0.0  # the current request's arrival time (trace seconds)

    @property
    def size(self) -> int:
        return len(self.blocks)

    def is_evictable(self, bid: int) -> bool:
        return bid in self.blocks and bid not in self.pinned


class Policy(Protocol):
    """What the engine calls: ``victims`` when space is needed, ``on_request`` after."""

    def victims(self, count: int, cache: CacheView, request: Request) -> Sequence[int]: ...

    def on_request(self, request: Request, cache: CacheView) -> None: ...


@dataclass
class Stats:
    """What one simulation served."""

    requests: int = 0
    hit_requests: int = 0
    tokens: int = 0
    hit_tokens: int = 0
    block_accesses: int = 0
    block_hits: int = 0
    evictions: int = 0

    @property
    def token_hit_rate(self) -> float:
        return self.hit_tokens / self.tokens if self.tokens else 0.0

    @property
    def request_hit_share(self) -> float:
        return self.hit_requests / self.requests if self.requests else 0.0

    @property
    def block_hit_rate(self) -> float:
        return self.block_hits / self.block_accesses if self.block_accesses else 0.0


class PrefixCache:
    """A cache of ``capacity`` blocks over one trace; :meth:`serve` runs one request."""

    def __init__(self, trace: Trace, capacity: int, features: bool = True) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1 block, got {capacity}")
        self.trace = trace
        self.capacity = capacity
        # Without features (a replay, which needs no policy inputs) blocks share one
        # placeholder and no per-block bookkeeping is done: same rules, less work.
        self.features = features
        self._bare = Block(-1, -1, 0, 0, 0.0, -1)
        self.blocks: dict[int, Block] = {}  # the cached blocks
        self.view = CacheView(self.blocks, capacity)
        self.stats = Stats()
        self._kids: list[list[int]] = [[] for _ in range(trace.n_blocks)]
        for bid, up in enumerate(trace.parent):
            if up >= 0:
                self._kids[up].append(bid)

    def serve(self, index: int, policy: Policy) -> list[int]:
        """Serve request ``index``; returns the victims evicted for it, in order."""
        trace = self.trace
        request = Request(trace, index)
        path = request.blocks
        view = self.view
        now = view.now = request.time
        cached = self.blocks
        hit = 0
        while hit < len(path) and path[hit] in cached:
            hit += 1
        request.hit_blocks = hit
        stats = self.stats
        stats.requests += 1
        stats.tokens += request.input_tokens
        stats.block_accesses += len(path)
        stats.block_hits += hit
        if hit:
            stats.hit_requests += 1
            stats.hit_tokens += sum(trace.request_tokens(index, p) for p in range(hit))
        reused = [b for b in path if b in cached]
        if self.features:
            for bid in reused:
                block = cached[bid]
                block.hits += 1
                block.last_access = now
                block.last_index = index
        view.pinned = frozenset(reused)
        missing = [b for b in path if b not in cached]
        room = self.capacity - len(cached)
        chosen: list[int] = []
        if len(missing) > room:
            count = min(len(missing) - room, len(cached) - len(view.pinned))
            if count > 0:
                chosen = self._checked(policy.victims(count, view, request), count, index)
                for bid in chosen:
                    self._remove(bid)
                stats.evictions += len(chosen)
        for bid in missing[: self.capacity - len(cached)]:
            self._insert(bid, now, index)
        policy.on_request(request, view)
        view.pinned = frozenset()
        return chosen

    def run(self, policy: Policy) -> list[int]:
        """Serve the whole trace; returns the decision log (every victim, in order)."""
        log: list[int] = []
        for index in range(len(self.trace)):
            log.extend(self.serve(index, policy))
        return log

    def _checked(self, victims: Any, count: int, index: int) -> list[int]:
        if isinstance(victims, (str, bytes)) or not hasattr(victims, "__iter__"):
            raise IllegalEviction(
                f"request {index}: victims() must return a list of block ids, "
                f"got {type(victims).__name__}"
            )
        out = list(victims)
        if len(out) != count:
            raise IllegalEviction(
                f"request {index}: victims() was asked for {count} blocks, returned {len(out)}"
            )
        seen: set[int] = set()
        for k, raw in enumerate(out):
            try:
                if isinstance(raw, bool):
                    raise TypeError
                bid = out[k] = operator.index(raw)
            except TypeError:
                raise IllegalEviction(
                    f"request {index}: victim {str(raw)[:40]!r} is not a block id (int)"
                ) from None
            if bid not in self.blocks:
                raise IllegalEviction(f"request {index}: victim block {bid} is not cached")
            if bid in self.view.pinned:
                raise IllegalEviction(
                    f"request {index}: victim block {bid} is on the current request's path"
                )
            if bid in seen:
                raise IllegalEviction(f"request {index}: victim block {bid} named twice")
            seen.add(bid)
        return out

    def _remove(self, bid: int) -> None:
        del self.blocks[bid]
        up = self.trace.parent[bid]
        if self.features and up in self.blocks:
            self.blocks[up].children -= 1

    def _insert(self, bid: int, now: float, index: int) -> None:
        if not self.features:
            self.blocks[bid] = self._bare
            return
        trace = self.trace
        block = Block(bid, trace.parent[bid], trace.depth[bid], trace.tokens[bid], now, index)
        block.children = sum(1 for kid in self._kids[bid] if kid in self.blocks)
        self.blocks[bid] = block
        up = block.parent
        if up in self.blocks:
            self.blocks[up].children += 1


def simulate(
    trace: Trace, capacity: int, policy: Policy, features: bool = True
) -> tuple[Stats, list[int]]:
    """Run ``policy`` over ``trace`` with a cache of ``capacity`` blocks."""
    cache = PrefixCache(trace, capacity, features)
    log = cache.run(policy)
    return cache.stats, log
