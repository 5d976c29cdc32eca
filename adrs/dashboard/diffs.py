"""Diffs between two programs, computed on the server: unified text and renderable rows.

The text form goes into the JSON API; the row forms (unified, and side by side for the
compare page) carry line numbers and highlighted HTML for the templates.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from markupsafe import Markup

from adrs.dashboard.highlight import highlight_lines

CONTEXT = 3


def unified_text(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff (``diff -u`` style) of two sources."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_name,
            tofile=new_name,
            n=CONTEXT,
        )
    )


@dataclass(frozen=True)
class Row:
    """One row of a unified diff: ``kind`` is hunk, context, removed or added."""

    kind: str
    old_no: int | None
    new_no: int | None
    html: Markup


@dataclass(frozen=True)
class SideRow:
    """One row of a side-by-side diff; a side is empty where the line does not exist."""

    kind: str  # hunk, equal, replace, delete, insert
    old_no: int | None
    old_html: Markup | None
    new_no: int | None
    new_html: Markup | None


def _lines(source: str, language: str) -> tuple[list[str], list[Markup]]:
    """A source's lines and their highlighted HTML; a final newline ends the last line."""
    plain = source.split("\n")
    if len(plain) > 1 and plain[-1] == "":
        plain.pop()
    return plain, highlight_lines(source, language)[: len(plain)]


def _matcher(old: list[str], new: list[str]) -> difflib.SequenceMatcher[str]:
    return difflib.SequenceMatcher(None, old, new, autojunk=False)


def _hunk_header(group: list[tuple[str, int, int, int, int]]) -> Markup:
    i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
    return Markup(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@")


def unified_rows(old: str, new: str, language: str) -> list[Row]:
    """A unified diff as rows with highlighted lines and both line numbers."""
    old_lines, old_html = _lines(old, language)
    new_lines, new_html = _lines(new, language)
    out: list[Row] = []
    for group in _matcher(old_lines, new_lines).get_grouped_opcodes(CONTEXT):
        out.append(Row("hunk", None, None, _hunk_header(group)))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [Row("context", i + 1, j1 + i - i1 + 1, old_html[i]) for i in range(i1, i2)]
                continue
            out += [Row("removed", i + 1, None, old_html[i]) for i in range(i1, i2)]
            out += [Row("added", None, j + 1, new_html[j]) for j in range(j1, j2)]
    return out


def side_rows(old: str, new: str, language: str) -> list[SideRow]:
    """A side-by-side diff: changed lines paired up, context around each change."""
    old_lines, old_html = _lines(old, language)
    new_lines, new_html = _lines(new, language)
    out: list[SideRow] = []
    for group in _matcher(old_lines, new_lines).get_grouped_opcodes(CONTEXT):
        out.append(SideRow("hunk", None, _hunk_header(group), None, None))
        for tag, i1, i2, j1, j2 in group:
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                left = i < i2
                right = j < j2
                out.append(
                    SideRow(
                        tag,
                        i + 1 if left else None,
                        old_html[i] if left else None,
                        j + 1 if right else None,
                        new_html[j] if right else None,
                    )
                )
    return out


def changed_lines(old: str, new: str) -> tuple[int, int]:
    """How many lines were removed and added between two sources."""
    removed = added = 0
    for tag, i1, i2, j1, j2 in _matcher(old.split("\n"), new.split("\n")).get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return removed, added
