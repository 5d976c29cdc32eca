"""Request traces in canonical form: each request is the path of KV blocks of its prompt.

A block holds ``block_tokens`` prompt tokens and is identified by its whole prefix, so a
block id implies its parent (the block before it). Raw traces (Mooncake's ``hash_ids``,
or the synthetic generator's) are renumbered here by first appearance, which makes ids
small, dense and identical on both sides of the sandbox boundary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

BLOCK_TOKENS = 512
NO_PARENT = -1


class TraceError(ValueError):
    """A trace (raw or canonical) is malformed; the message says what and where."""


@dataclass
class Trace:
    """Requests in arrival order, with the static prefix tree of their blocks."""

    times: list[float]  # seconds since the window's first request
    input_tokens: list[int]
    output_tokens: list[int]
    blocks: list[list[int]]  # block ids along each request's prompt, root first
    block_tokens: int = BLOCK_TOKENS
    parent: list[int] = field(default_factory=list)  # per block id
    depth: list[int] = field(default_factory=list)  # 0 for a prompt's first block
    tokens: list[int] = field(default_factory=list)  # tokens the block holds

    def __post_init__(self) -> None:
        if not self.parent:
            self._build_tree()

    def __len__(self) -> int:
        return len(self.blocks)

    @property
    def n_blocks(self) -> int:
        """Distinct blocks in the trace."""
        return len(self.parent)

    def request_tokens(self, index: int, position: int) -> int:
        """Prompt tokens in block ``position`` of request ``index`` (the last may be partial)."""
        path = self.blocks[index]
        if position < len(path) - 1:
            return self.block_tokens
        return self.input_tokens[index] - self.block_tokens * (len(path) - 1)

    def _build_tree(self) -> None:
        parent: dict[int, int] = {}
        depth: dict[int, int] = {}
        tokens: dict[int, int] = {}
        for i, path in enumerate(self.blocks):
            expected = math.ceil(self.input_tokens[i] / self.block_tokens)
            if len(path) != expected:
                raise TraceError(
                    f"request {i}: {self.input_tokens[i]} prompt tokens need {expected} "
                    f"blocks of {self.block_tokens}, got {len(path)}"
                )
            up = NO_PARENT
            for pos, block in enumerate(path):
                known = parent.setdefault(block, up)
                if known != up:
                    raise TraceError(f"request {i}: block {block} appears under two parents")
                depth.setdefault(block, pos)
                tokens.setdefault(block, self.request_tokens(i, pos))
                up = block
        count = len(parent)
        if set(parent) != set(range(count)):
            raise TraceError("block ids must be 0..N-1 (use canonicalize() on raw traces)")
        self.parent = [parent[b] for b in range(count)]
        self.depth = [depth[b] for b in range(count)]
        self.tokens = [tokens[b] for b in range(count)]

    def to_input(self) -> dict[str, Any]:
        """The compact, JSON-friendly form that travels to the sandbox in a case."""
        return {
            "block_tokens": self.block_tokens,
            "times": [round(t, 3) for t in self.times],
            "input_tokens": list(self.input_tokens),
            "output_tokens": list(self.output_tokens),
            "blocks": [list(p) for p in self.blocks],
        }


def from_input(data: Mapping[str, Any]) -> Trace:
    """Rebuild a :class:`Trace` from :meth:`Trace.to_input` output, checking its shape."""
    try:
        times = [float(t) for t in data["times"]]
        inputs = [int(n) for n in data["input_tokens"]]
        outputs = [int(n) for n in data["output_tokens"]]
        blocks = [[int(b) for b in path] for path in data["blocks"]]
        block_tokens = int(data.get("block_tokens", BLOCK_TOKENS))
    except (KeyError, TypeError, ValueError) as exc:
        raise TraceError(f"malformed trace: {exc}") from None
    if not len(times) == len(inputs) == len(outputs) == len(blocks):
        raise TraceError("trace columns have different lengths")
    return Trace(times, inputs, outputs, blocks, block_tokens)


def head(data: Mapping[str, Any], requests: int) -> dict[str, Any]:
    """The first ``requests`` requests of a trace in input form (block ids stay valid)."""
    out = dict(data)
    for key in ("times", "input_tokens", "output_tokens", "blocks"):
        out[key] = list(data[key][:requests])
    return out


def canonicalize(requests: Iterable[Mapping[str, Any]], block_tokens: int = BLOCK_TOKENS) -> Trace:
    """Renumber raw requests (``timestamp`` in ms, ``input_length``, ``output_length``,
    ``hash_ids``) into a :class:`Trace`; times become seconds since the first request.

    Equal raw ids at the same place of the prefix tree become one block; a raw id seen
    under a different parent becomes a different block (it cannot share KV state).
    """
    ids: dict[tuple[int, Any], int] = {}
    times: list[float] = []
    inputs: list[int] = []
    outputs: list[int] = []
    paths: list[list[int]] = []
    start: float | None = None
    for i, req in enumerate(requests):
        try:
            stamp = float(req["timestamp"]) / 1000.0
            length = int(req["input_length"])
            out = int(req["output_length"])
            raw: Sequence[Any] = req["hash_ids"]
        except (KeyError, TypeError, ValueError) as exc:
            raise TraceError(f"request {i}: malformed ({exc})") from None
        if start is None:
            start = stamp
        if stamp < start or (times and stamp - start < times[-1]):
            raise TraceError(f"request {i}: timestamps must not decrease")
        path = []
        up = NO_PARENT
        for h in raw:
            up = ids.setdefault((up, h), len(ids))
            path.append(up)
        times.append(stamp - start)
        inputs.append(length)
        outputs.append(out)
        paths.append(path)
    if not paths:
        raise TraceError("trace has no requests")
    return Trace(times, inputs, outputs, paths, block_tokens)


def capacities(trace: Trace, fractions: Sequence[float]) -> list[int]:
    """Cache sizes in blocks, as fractions of the trace's distinct blocks (at least 1)."""
    return [max(1, round(f * trace.n_blocks)) for f in fractions]


@dataclass(frozen=True)
class Ceiling:
    """What an infinite cache would serve: every access that is not a block's first use."""

    token_hit_rate: float
    block_hit_rate: float
    request_hit_share: float


def ceiling(trace: Trace) -> Ceiling:
    """The compulsory-miss ceiling: no policy and no cache size can do better."""
    seen: set[int] = set()
    hit_tokens = total_tokens = hit_blocks = total_blocks = hit_requests = 0
    for i, path in enumerate(trace.blocks):
        reused = 0
        for pos, block in enumerate(path):
            if block in seen:
                reused += 1
                hit_tokens += trace.request_tokens(i, pos)
            else:
                seen.add(block)
        hit_blocks += reused
        total_blocks += len(path)
        total_tokens += trace.input_tokens[i]
        hit_requests += reused > 0
    return Ceiling(
        token_hit_rate=hit_tokens / max(1, total_tokens),
        block_hit_rate=hit_blocks / max(1, total_blocks),
        request_hit_share=hit_requests / max(1, len(trace)),
    )
