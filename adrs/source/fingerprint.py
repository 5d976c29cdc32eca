"""Normalised source hashes, so that reformatted or re-commented copies count as duplicates."""

from __future__ import annotations

import ast
import hashlib
import re

# Comments, and string literals (matched so that a "//" inside one is not a comment).
_C_COMMENTS = re.compile(r'"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_PY_COMMENTS = re.compile(r"#[^\n]*")
_SPACE = re.compile(r"\s+")


def normalize(source: str, language: str = "python") -> str:
    """A canonical text of ``source``: the AST dump for Python, comment-free tokens otherwise."""
    if language == "python":
        try:
            return ast.dump(ast.parse(source), include_attributes=False)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            text = _PY_COMMENTS.sub("", source)
    else:
        text = _C_COMMENTS.sub(lambda m: m.group(0) if m.group(0)[0] == '"' else " ", source)
    return _SPACE.sub(" ", text).strip()


def fingerprint(source: str, language: str = "python") -> str:
    """SHA-256 of :func:`normalize` (hex)."""
    return hashlib.sha256(normalize(source, language).encode("utf-8")).hexdigest()
