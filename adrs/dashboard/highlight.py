"""Syntax highlighting with Pygments, one line at a time, for code views and diffs.

Lines are highlighted from the tokens of the whole source (so a multi-line string stays a
string on every line) and each comes back as its own escaped HTML fragment.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from markupsafe import Markup, escape
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import CudaLexer, PythonLexer, TextLexer
from pygments.token import STANDARD_TYPES, _TokenType

MAX_HIGHLIGHTED_LINES = 5000  # longer sources are shown plain: still escaped, just uncoloured
CSS_SCOPE = ".hl"
CACHED_SOURCES = 256


def _lexer(language: str) -> Lexer:
    kind: type[Lexer] = TextLexer
    if language == "python":
        kind = PythonLexer
    elif language in ("cuda", "cpp", "c++"):
        kind = CudaLexer
    lexer: Lexer = kind(stripnl=False, ensurenl=False)
    return lexer


def _css_class(ttype: _TokenType) -> str:
    while ttype not in STANDARD_TYPES and ttype.parent is not None:
        ttype = ttype.parent
    return STANDARD_TYPES.get(ttype, "")


def highlight_lines(source: str, language: str) -> list[Markup]:
    """The source as a list of highlighted, escaped HTML lines (no trailing newline)."""
    return list(_highlighted(source, language))


@lru_cache(maxsize=CACHED_SOURCES)
def _highlighted(source: str, language: str) -> tuple[Markup, ...]:
    # a program page highlights the program and its parents, and a live page does so
    # again on every refresh: lexing is the slowest part of a page, so keep recent ones
    plain = source.split("\n")
    if len(plain) > MAX_HIGHLIGHTED_LINES:
        return tuple(Markup(escape(line)) for line in plain)
    lines: list[list[str]] = [[]]
    for ttype, value in _lexer(language).get_tokens(source):
        css = _css_class(ttype)
        for n, part in enumerate(value.split("\n")):
            if n:
                lines.append([])
            if part:
                text = str(escape(part))
                lines[-1].append(f'<span class="{css}">{text}</span>' if css else text)
    lines = lines[: len(plain)]
    return tuple(Markup("".join(parts)) for parts in lines)


def forget() -> None:
    """Empty the cache of highlighted sources."""
    _highlighted.cache_clear()


@cache
def stylesheet() -> str:
    """The CSS for highlighted code, scoped to ``.hl``."""
    formatter: Any = HtmlFormatter(style="default")  # get_style_defs is untyped in the stubs
    return str(formatter.get_style_defs(CSS_SCOPE))
