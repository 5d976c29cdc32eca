"""Screening candidate CUDA source before it reaches the compiler.

NVRTC reads any file an ``#include`` names, and its error log quotes what it read; a
candidate could use that to print files of the machine it runs on into its feedback. So
a candidate may include only the device headers listed here, each by its literal name.
The check runs on the text as the preprocessor sees it: line splices joined, comments
blanked, digraphs (``%:``) counted as ``#``.
"""

from __future__ import annotations

import re

ALLOWED_HEADERS = frozenset(
    {
        "cuda_fp16.h",
        "cuda_bf16.h",
        "cuda_fp8.h",
        "cuda_pipeline.h",
        "cuda_pipeline_primitives.h",
        "cuda_awbarrier.h",
        "math_constants.h",
        "vector_types.h",
    }
)
MAX_SOURCE_BYTES = 256 * 1024

_SPLICE = re.compile(r"\\\r?\n")
_TOKENS = re.compile(
    r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
    re.DOTALL,
)
_DIRECTIVE = re.compile(r"^[ \t]*(?:#|%:)[ \t]*include\b(.*)$", re.MULTILINE)
_LITERAL = re.compile(r'^\s*(?:<([^<>"]+)>|"([^<>"]+)")\s*$')


class SourceRejected(Exception):
    """The source breaks a rule checked before compilation; the message says which."""


def _blank_comments(text: str) -> str:
    def keep(m: re.Match[str]) -> str:
        token = m.group(0)
        if token.startswith(("//", "/*")):
            return " " + "\n" * token.count("\n")  # keep line numbers for messages
        return token

    return _TOKENS.sub(keep, text)


def screen_source(source: str) -> None:
    """Raise :class:`SourceRejected` for an over-long source or a disallowed ``#include``."""
    if len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        raise SourceRejected(f"source is larger than {MAX_SOURCE_BYTES // 1024} KiB")
    if "\0" in source:
        raise SourceRejected("source contains a NUL character")
    text = _blank_comments(_SPLICE.sub("", source))
    for m in _DIRECTIVE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        literal = _LITERAL.match(m.group(1))
        name = (literal.group(1) or literal.group(2)) if literal else None
        if name not in ALLOWED_HEADERS:
            shown = m.group(1).strip()[:60]
            raise SourceRejected(
                f"line {line}: #include {shown} is not allowed; a kernel may include only "
                + ", ".join(sorted(ALLOWED_HEADERS))
            )
