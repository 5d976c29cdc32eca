"""Candidate sources may include only the allowed CUDA headers, however they spell it."""

from __future__ import annotations

import pytest

from evaluators.cuda.screen import MAX_SOURCE_BYTES, SourceRejected, screen_source

KERNEL = 'extern "C" __global__ void k(float* x) { x[0] = 1.f; }\n'


@pytest.mark.parametrize(
    "header",
    ["#include <cuda_fp16.h>", '#include "cuda_bf16.h"', "  #  include <math_constants.h>"],
)
def test_allowed_headers_pass(header: str) -> None:
    screen_source(f"{header}\n{KERNEL}")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("#include <stdio.h>", "<stdio.h>"),
        ('#include "/etc/passwd"', '"/etc/passwd"'),
        ("#include </proc/self/environ>", "</proc/self/environ>"),
        ("#define SECRET </etc/shadow>\n#include SECRET", "SECRET"),
        ("#inc\\\nlude </etc/passwd>", "</etc/passwd>"),
        ("%:include </etc/passwd>", "</etc/passwd>"),
        ("#/* hidden */include </etc/passwd>", "</etc/passwd>"),
        ('#include "../verifier.py"', '"../verifier.py"'),
    ],
    ids=["stdio", "absolute", "proc", "macro", "line-splice", "digraph", "comment", "relative"],
)
def test_other_includes_are_rejected_with_the_line(text: str, shown: str) -> None:
    with pytest.raises(SourceRejected, match=r"line \d+: #include .* is not allowed") as info:
        screen_source(f"{KERNEL}{text}\n")
    assert shown in str(info.value)


def test_includes_in_comments_and_strings_are_not_directives() -> None:
    screen_source(
        f'// #include </etc/passwd>\n/* #include <x> */\nconst char* s = "#include <y>";\n{KERNEL}'
    )


def test_oversized_or_nul_sources_are_rejected() -> None:
    with pytest.raises(SourceRejected, match="larger than"):
        screen_source("x" * (MAX_SOURCE_BYTES + 1))
    with pytest.raises(SourceRejected, match="NUL"):
        screen_source("int a;\0")
