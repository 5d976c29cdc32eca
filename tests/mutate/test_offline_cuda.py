"""The offline mutator on CUDA sources: tunes numeric constants inside the EVOLVE-BLOCK."""

from __future__ import annotations

import random
import re

import pytest

from adrs.mutate.offline import mutate, mutate_numbers
from adrs.mutate.textdiff import diff_block
from adrs.source.fingerprint import fingerprint
from adrs.source.patch import apply_response
from adrs.source.regions import edit_outside_regions, split_regions
from evaluators.cuda import nvrtc
from evaluators.cuda.contract import ContractError, load_contract
from evaluators.cuda.session import compile_checked
from tests.support.cuda_trials import PROBLEMS
from tests.support.require import require

NAMES = ["cuda_softmax", "cuda_layernorm", "cuda_matmul"]
COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


def seed(name: str) -> str:
    return (PROBLEMS / name / "initial.cu").read_text()


@pytest.mark.parametrize("name", NAMES)
def test_children_change_only_the_region_and_never_comments(name: str) -> None:
    parent = seed(name)
    for s in range(30):
        child = mutate(parent, "cuda", [], random.Random(s))
        assert child is not None and child.label.startswith("perturb_number")
        assert edit_outside_regions(parent, child.source) is None
        assert COMMENTS.findall(child.source) == COMMENTS.findall(parent)
        assert fingerprint(child.source, "cuda") != fingerprint(parent, "cuda")


@pytest.mark.parametrize("name", NAMES)
def test_a_child_arrives_as_a_search_replace_answer_that_applies(name: str) -> None:
    parent = seed(name)
    child = mutate(parent, "cuda", [], random.Random(3))
    assert child is not None
    outcome = apply_response(parent, diff_block(parent, child.source))
    assert outcome.error is None and outcome.source == child.source


def child_of(source: str, s: int) -> str:
    edit = mutate_numbers(source, random.Random(s))
    assert edit is not None
    return edit.source


def test_powers_of_two_are_doubled_or_halved() -> None:
    source = "// EVOLVE-BLOCK-START\nconstexpr int kThreads = 128;\n// EVOLVE-BLOCK-END\n"
    seen = {re.findall(r"kThreads = (\d+)", child_of(source, s))[0] for s in range(40)}
    assert seen == {"64", "256"}


def test_digits_in_strings_headers_comments_and_hex_are_left_alone() -> None:
    region = (
        'asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0}" : "=f"(x));\n'
        "const float* half2_ptr = nullptr;  // tile 64\n"
        "unsigned mask = 0xffffffff;\n"
        "int tile = 32;\n"
    )
    source = f"#include <cuda_fp16.h>\n// EVOLVE-BLOCK-START\n{region}// EVOLVE-BLOCK-END\n"
    for s in range(30):
        child = child_of(source, s)
        tiles = re.findall(r"int tile = (\d+);", child)
        assert tiles in (["16"], ["64"])  # the only number that is a program constant
        assert child.replace(f"int tile = {tiles[0]};", "int tile = 32;") == source


def test_negative_results_are_parenthesised() -> None:
    source = "// EVOLVE-BLOCK-START\nfloat y = x-0.0f;\n// EVOLVE-BLOCK-END\n"
    children = {child_of(source, s) for s in range(40)}
    negative = [c for c in children if "x-(-" in c]
    assert negative and not any("x--" in c for c in children)
    assert all(re.search(r"x-\(-[\d.e-]+f\);", c) for c in negative)


def test_most_mutated_seeds_still_compile_and_meet_the_contract() -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")
    for name in NAMES:
        contract = load_contract(str(PROBLEMS / name / "kernel.py"))
        parent = seed(name)
        good = 0
        for s in range(10):
            child = mutate(parent, "cuda", [], random.Random(s))
            assert child is not None
            try:
                compile_checked(child.source, contract)
                good += 1
            except (nvrtc.CompileError, ContractError):
                pass  # e.g. THREADS doubled past 1024: the reason goes back as feedback
        assert good >= 8, name


def test_regions_are_marked_with_line_comments() -> None:
    regions = split_regions(seed("cuda_matmul"))
    assert regions.marked and len(regions.evolvable) == 1
    assert "#include <cuda_fp16.h>" in regions.fixed[0]
    assert "__global__ void matmul" in regions.evolvable_text()
