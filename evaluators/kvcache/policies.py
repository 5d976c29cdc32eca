"""Reference eviction policies: the baselines and Belady's offline optimum.

- ``LRU``: vLLM's automatic prefix caching: least recently used first, and within one
  request the deepest blocks first (vLLM frees a finished request's blocks tail first).
- ``LeafLRU``: SGLang's radix cache: only leaves of the cached tree, least recently used.
- ``LFU``: fewest reuses first, then least recently used.
- ``Belady``: the block whose next use is farthest in the future (deepest first on ties);
  it reads the whole trace, so it is a bound, not a policy a server could run.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from evaluators.kvcache.cache import Block, CacheView, IllegalEviction, Request
from evaluators.kvcache.trace import Trace


class LRU:
    """Least recently used first; a request's deeper blocks count as older."""

    def __init__(self, capacity: int) -> None:
        self.order: OrderedDict[int, None] = OrderedDict()

    def on_request(self, request: Request, cache: CacheView) -> None:
        for bid in reversed(request.blocks):
            if bid in cache.blocks:
                self.order[bid] = None
                self.order.move_to_end(bid)

    def victims(self, count: int, cache: CacheView, request: Request) -> list[int]:
        out: list[int] = []
        for bid in self.order:
            if bid not in cache.pinned:
                out.append(bid)
                if len(out) == count:
                    break
        for bid in out:
            del self.order[bid]
        return out


class _LazyHeap:
    """Smallest key evicted first; entries go stale when a block's key changes."""

    leaf_only = False

    def __init__(self, capacity: int) -> None:
        self.heap: list[tuple[Any, ...]] = []
        self.current: dict[int, tuple[Any, ...]] = {}

    def key(self, block: Block) -> tuple[Any, ...]:
        raise NotImplementedError

    def _push(self, block: Block) -> None:
        key = self.key(block)
        self.current[block.id] = key
        heapq.heappush(self.heap, (*key, block.id))

    def on_request(self, request: Request, cache: CacheView) -> None:
        for bid in request.blocks:
            block = cache.blocks.get(bid)
            if block is not None:
                self._push(block)
        if len(self.heap) > 4 * len(cache.blocks) + 64:
            self.current = {bid: self.key(b) for bid, b in cache.blocks.items()}
            self.heap = [(*key, bid) for bid, key in self.current.items()]
            heapq.heapify(self.heap)

    def victims(self, count: int, cache: CacheView, request: Request) -> list[int]:
        out: list[int] = []
        chosen: set[int] = set()
        aside: list[tuple[Any, ...]] = []
        lost: dict[int, int] = {}  # children chosen in this call, per parent
        while len(out) < count:
            if not self.heap:
                raise IllegalEviction(f"{type(self).__name__}: no evictable block found")
            entry = heapq.heappop(self.heap)
            bid = entry[-1]
            block = cache.blocks.get(bid)
            if block is None or bid in chosen or self.current.get(bid) != entry[:-1]:
                continue
            if bid in cache.pinned:
                aside.append(entry)
                continue
            if self.leaf_only and block.children - lost.get(bid, 0) > 0:
                continue  # pushed again once its last child goes
            out.append(bid)
            chosen.add(bid)
            up = cache.blocks.get(block.parent)
            if self.leaf_only and up is not None:
                lost[up.id] = lost.get(up.id, 0) + 1
                if up.children == lost[up.id]:
                    self._push(up)
        for entry in aside:
            heapq.heappush(self.heap, entry)
        for bid in out:
            self.current.pop(bid, None)
        return out


class LeafLRU(_LazyHeap):
    """Least recently used leaf of the cached prefix tree (SGLang's radix cache)."""

    leaf_only = True

    def key(self, block: Block) -> tuple[Any, ...]:
        return (block.last_index, -block.depth)


class LFU(_LazyHeap):
    """Fewest reuses first; ties go to the least recently used, then the deepest."""

    def key(self, block: Block) -> tuple[Any, ...]:
        return (block.hits, block.last_index, -block.depth)


class Belady(_LazyHeap):
    """Farthest next use first (never again counts as farthest); deepest first on ties."""

    def __init__(self, capacity: int, trace: Trace) -> None:
        super().__init__(capacity)
        never = len(trace)
        self.next_at = _next_uses(trace, never)
        self.next_use: dict[int, int] = {}

    def key(self, block: Block) -> tuple[Any, ...]:
        return (-self.next_use[block.id], -block.depth)

    def on_request(self, request: Request, cache: CacheView) -> None:
        for bid, nxt in zip(request.blocks, self.next_at[request.index], strict=True):
            self.next_use[bid] = nxt
        super().on_request(request, cache)


def _next_uses(trace: Trace, never: int) -> list[list[int]]:
    """For each request and position, the index of the next request using that block."""
    upcoming: dict[int, int] = {}
    out: list[list[int]] = [[] for _ in range(len(trace))]
    for i in range(len(trace) - 1, -1, -1):
        path = trace.blocks[i]
        out[i] = [upcoming.get(b, never) for b in path]
        for b in path:
            upcoming[b] = i
    return out


class Replay:
    """Plays back a decision log: the victims, in the order the candidate named them."""

    def __init__(self, log: Sequence[int]) -> None:
        self.log = log
        self.pos = 0

    def victims(self, count: int, cache: CacheView, request: Request) -> Sequence[int]:
        if self.pos + count > len(self.log):
            raise IllegalEviction(
                f"request {request.index}: the decision log ends after {len(self.log)} "
                f"victims, but {count} more are needed"
            )
        out = self.log[self.pos : self.pos + count]
        self.pos += count
        return out

    def on_request(self, request: Request, cache: CacheView) -> None:
        return None


BASELINES = ("lru", "leaf_lru", "lfu", "belady")


def make_baseline(name: str, capacity: int, trace: Trace) -> Any:
    """A fresh instance of the named reference policy."""
    if name == "lru":
        return LRU(capacity)
    if name == "leaf_lru":
        return LeafLRU(capacity)
    if name == "lfu":
        return LFU(capacity)
    if name == "belady":
        return Belady(capacity, trace)
    raise KeyError(f"unknown baseline {name!r}")
