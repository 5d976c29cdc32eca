"""EVOLVE-BLOCK regions: which lines of a program a mutation may change."""

from __future__ import annotations

from dataclasses import dataclass

START = "EVOLVE-BLOCK-START"
END = "EVOLVE-BLOCK-END"


class RegionError(ValueError):
    """The markers are unbalanced or nested."""


@dataclass(frozen=True)
class Regions:
    """A program cut into alternating fixed and evolvable parts.

    ``fixed`` has one more element than ``evolvable``; the source is
    ``fixed[0] + evolvable[0] + fixed[1] + ... + fixed[-1]``. Marker lines belong to the
    fixed parts. A program without markers is evolvable as a whole.
    """

    fixed: tuple[str, ...]
    evolvable: tuple[str, ...]
    marked: bool

    def evolvable_text(self) -> str:
        return "".join(self.evolvable)

    def evolvable_spans(self) -> list[tuple[int, int]]:
        """Line ranges ``[first, last]`` (1-based, inclusive) of the evolvable parts."""
        spans = []
        line = 1
        for i, part in enumerate(self.evolvable):
            line += self.fixed[i].count("\n")
            count = part.count("\n")
            if count:
                spans.append((line, line + count - 1))
            line += count
        return spans


def split_regions(source: str) -> Regions:
    lines = source.splitlines(keepends=True)
    fixed: list[str] = []
    evolvable: list[str] = []
    current: list[str] = []
    inside = False
    for number, line in enumerate(lines, start=1):
        if START in line:
            if inside:
                raise RegionError(f"line {number}: {START} inside an open block")
            current.append(line)
            fixed.append("".join(current))
            current = []
            inside = True
        elif END in line:
            if not inside:
                raise RegionError(f"line {number}: {END} without {START}")
            evolvable.append("".join(current))
            current = [line]
            inside = False
        else:
            current.append(line)
    if inside:
        raise RegionError(f"{START} is never closed by {END}")
    if not evolvable:
        return Regions(fixed=("", ""), evolvable=(source,), marked=False)
    fixed.append("".join(current))
    return Regions(fixed=tuple(fixed), evolvable=tuple(evolvable), marked=True)


def edit_outside_regions(parent: str, child: str) -> str | None:
    """Why ``child`` is not a legal edit of ``parent``, or None when it only touches regions."""
    try:
        before = split_regions(parent)
    except RegionError as exc:
        return f"parent has malformed EVOLVE-BLOCK markers: {exc}"
    if not before.marked:
        return None
    try:
        after = split_regions(child)
    except RegionError as exc:
        return f"edit outside EVOLVE-BLOCK: markers broken ({exc})"
    if len(after.evolvable) != len(before.evolvable):
        return "edit outside EVOLVE-BLOCK: markers added or removed"
    for i, (old, new) in enumerate(zip(before.fixed, after.fixed, strict=True)):
        if old != new:
            return f"edit outside EVOLVE-BLOCK (fixed part {i + 1} changed)"
    return None


def replace_regions(source: str, new_parts: list[str]) -> str:
    """Rebuild ``source`` with its evolvable parts replaced by ``new_parts``."""
    regions = split_regions(source)
    if len(new_parts) != len(regions.evolvable):
        raise RegionError("wrong number of evolvable parts")
    out = [regions.fixed[0]]
    for part, fixed in zip(new_parts, regions.fixed[1:], strict=True):
        if part and not part.endswith("\n"):
            part += "\n"
        out.append(part)
        out.append(fixed)
    return "".join(out)
