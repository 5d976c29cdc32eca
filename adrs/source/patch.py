"""Turn a model's response into a child program: SEARCH/REPLACE blocks or a full rewrite.

Every way a response can fail to apply yields a reason that is recorded and fed back to the
model; nothing is skipped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adrs.source.regions import RegionError, edit_outside_regions, replace_regions, split_regions

_SEARCH = re.compile(r"^\s*<{5,}\s*SEARCH\s*$")
_DIVIDER = re.compile(r"^\s*={5,}\s*$")
_REPLACE = re.compile(r"^\s*>{5,}\s*REPLACE\s*$")
_FENCE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Block:
    search: str
    replace: str


@dataclass(frozen=True)
class PatchOutcome:
    """The child source, or why there is none."""

    source: str | None
    kind: str  # "diff" | "rewrite" | "none"
    error: str | None = None
    blocks: int = 0


class PatchError(ValueError):
    pass


def parse_blocks(response: str) -> list[Block]:
    """All SEARCH/REPLACE blocks in ``response``, in order; prose and fences are ignored."""
    blocks: list[Block] = []
    lines = response.splitlines()
    i = 0
    while i < len(lines):
        if not _SEARCH.match(lines[i]):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not _DIVIDER.match(lines[j]):
            j += 1
        k = j + 1
        while k < len(lines) and not _REPLACE.match(lines[k]):
            k += 1
        if j >= len(lines) or k >= len(lines):
            raise PatchError(f"SEARCH block {len(blocks) + 1} is not closed")
        blocks.append(Block("\n".join(lines[i + 1 : j]), "\n".join(lines[j + 1 : k])))
        i = k + 1
    return blocks


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _locate(text: str, search: str, preferred: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Character span of ``search`` in ``text``: exact first, then whitespace-tolerant."""
    starts = []
    pos = text.find(search)
    while pos != -1:
        starts.append(pos)
        pos = text.find(search, pos + 1)
    if starts:
        for s in starts:
            line = text.count("\n", 0, s) + 1
            if any(a <= line <= b for a, b in preferred):
                return s, s + len(search)
        return starts[0], starts[0] + len(search)
    return None


def _apply_tolerant(text: str, block: Block) -> str | None:
    """Match ``block.search`` line by line ignoring indentation and trailing space."""
    want = [ln.strip() for ln in block.search.splitlines()]
    while want and not want[0]:
        want.pop(0)
    while want and not want[-1]:
        want.pop()
    if not want:
        return None
    have = text.splitlines(keepends=True)
    stripped = [ln.strip() for ln in have]
    for start in range(len(have) - len(want) + 1):
        if stripped[start : start + len(want)] != want:
            continue
        search_lines = [ln for ln in block.search.splitlines() if ln.strip()]
        old_indent = _indent(search_lines[0]) if search_lines else ""
        new_indent = _indent(have[start])
        out_lines = []
        for ln in block.replace.splitlines():
            if ln.strip() and ln.startswith(old_indent):
                ln = new_indent + ln[len(old_indent) :]
            elif ln.strip():
                ln = new_indent + ln.lstrip()
            out_lines.append(ln)
        replacement = "\n".join(out_lines)
        if out_lines:
            replacement += "\n"
        return "".join(have[:start]) + replacement + "".join(have[start + len(want) :])
    return None


def apply_blocks(parent: str, blocks: list[Block]) -> str:
    child = parent
    for number, block in enumerate(blocks, start=1):
        if not block.search.strip():
            raise PatchError(f"block {number}: empty SEARCH text")
        try:
            preferred = split_regions(child).evolvable_spans()
        except RegionError:
            preferred = []
        span = _locate(child, block.search, preferred)
        if span is not None:
            child = child[: span[0]] + block.replace + child[span[1] :]
            continue
        tolerant = _apply_tolerant(child, block)
        if tolerant is None:
            raise PatchError(f"block {number}: search text not found in parent")
        child = tolerant
    return child


def extract_code(response: str) -> str | None:
    """The longest fenced code block in ``response``, or None."""
    blocks = [m.group(2) for m in _FENCE.finditer(response)]
    return max(blocks, key=len) if blocks else None


def rewrite(parent: str, code: str) -> str:
    """A full rewrite: a whole program, or only the body of the parent's single region."""
    regions = split_regions(parent)
    if not regions.marked:
        return code
    try:
        new = split_regions(code)
    except RegionError:
        new = None
    if new is not None and new.marked:
        return code
    if len(regions.evolvable) == 1:
        return replace_regions(parent, [code])
    raise PatchError("rewrite lacks EVOLVE-BLOCK markers and the parent has several blocks")


def apply_response(parent: str, response: str, *, allow_rewrite: bool = True) -> PatchOutcome:
    """Apply a model response to ``parent``; diff blocks win over a fenced full program."""
    try:
        blocks = parse_blocks(response)
        if blocks:
            child = apply_blocks(parent, blocks)
            kind = "diff"
        elif allow_rewrite:
            code = extract_code(response)
            if code is None:
                return PatchOutcome(None, "none", "no code in response")
            child = rewrite(parent, code)
            kind = "rewrite"
        else:
            return PatchOutcome(None, "none", "no SEARCH/REPLACE block in response")
    except (PatchError, RegionError) as exc:
        return PatchOutcome(None, "none", str(exc))
    reason = edit_outside_regions(parent, child)
    if reason is not None:
        return PatchOutcome(None, kind, reason, len(blocks))
    return PatchOutcome(child, kind, None, len(blocks))
