"""Express the change from one source to another as a single SEARCH/REPLACE block."""

from __future__ import annotations


def diff_block(parent: str, child: str) -> str:
    """A SEARCH/REPLACE block that turns ``parent`` into ``child`` when applied.

    The search text is widened with context lines until it occurs exactly once in the
    parent and neither side is empty, so the patch step applies it unambiguously.
    """
    p = parent.splitlines(keepends=True)
    c = child.splitlines(keepends=True)
    prefix = 0
    while prefix < min(len(p), len(c)) and p[prefix] == c[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(p), len(c)) - prefix and p[len(p) - 1 - suffix] == c[len(c) - 1 - suffix]
    ):
        suffix += 1
    a, b = prefix, len(p) - suffix
    delta = len(c) - len(p)
    grow_up = True
    while True:
        search = "".join(p[a:b])
        replace = "".join(c[a : b + delta])
        unique = search.strip() and parent.count(search) == 1
        if unique and replace.strip():
            break
        if (grow_up and a > 0) or b >= len(p):
            a -= 1
        else:
            b += 1
        grow_up = not grow_up
        if a <= 0 and b >= len(p):
            a, b = 0, len(p)
            search, replace = parent, child
            break
    return (
        "<<<<<<< SEARCH\n"
        + search.rstrip("\n")
        + "\n=======\n"
        + replace.rstrip("\n")
        + "\n>>>>>>> REPLACE\n"
    )
