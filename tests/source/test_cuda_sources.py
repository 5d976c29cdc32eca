"""Patching and de-duplication work on CUDA sources as they do on Python."""

from __future__ import annotations

from adrs.source.fingerprint import fingerprint
from adrs.source.patch import apply_response

PARENT = """#include <cuda_fp16.h>
// EVOLVE-BLOCK-START
constexpr int kThreads = 128;
extern "C" __global__ void k(float* x) { x[threadIdx.x] = 1.0f; }
// EVOLVE-BLOCK-END
"""


def test_comments_and_layout_do_not_make_a_new_program() -> None:
    reformatted = PARENT.replace(
        "constexpr int kThreads = 128;",
        "/* block size */ constexpr int  kThreads =\n 128; // tuned",
    )
    assert fingerprint(reformatted, "cuda") == fingerprint(PARENT, "cuda")
    changed = PARENT.replace("128", "256")
    assert fingerprint(changed, "cuda") != fingerprint(PARENT, "cuda")


def test_search_replace_inside_the_region_applies() -> None:
    answer = (
        "<<<<<<< SEARCH\nconstexpr int kThreads = 128;\n=======\n"
        "constexpr int kThreads = 256;\n>>>>>>> REPLACE\n"
    )
    outcome = apply_response(PARENT, answer)
    assert outcome.error is None and outcome.source == PARENT.replace("128", "256")


def test_edits_to_the_fixed_includes_are_rejected() -> None:
    answer = (
        "<<<<<<< SEARCH\n#include <cuda_fp16.h>\n=======\n#include </etc/passwd>\n>>>>>>> REPLACE\n"
    )
    outcome = apply_response(PARENT, answer)
    assert outcome.source is None and "edit outside EVOLVE-BLOCK" in (outcome.error or "")


def test_a_fenced_cuda_rewrite_replaces_the_region() -> None:
    body = 'constexpr int kThreads = 64;\nextern "C" __global__ void k(float* x) { x[0] = 2.0f; }'
    outcome = apply_response(PARENT, f"Here:\n```cuda\n{body}\n```\n")
    assert outcome.error is None and outcome.kind == "rewrite"
    assert outcome.source is not None and outcome.source.startswith("#include <cuda_fp16.h>\n")
    assert body in outcome.source


def test_a_double_slash_inside_a_string_is_not_a_comment() -> None:
    a = PARENT.replace("x[threadIdx.x] = 1.0f;", 'asm("// one"); x[0] = 1.0f;')
    b = PARENT.replace("x[threadIdx.x] = 1.0f;", 'asm("// two"); x[0] = 1.0f;')
    assert fingerprint(a, "cuda") != fingerprint(b, "cuda")
