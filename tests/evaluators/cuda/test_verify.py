"""The host's verdicts on CUDA trials, on outputs this test computes with NumPy.

Each hardening check gets an honest record that passes and the record of a kernel that
cheats in exactly one way, which must fail with the status and reason that names it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from evaluators.cuda.evidence import POISON_BYTE
from evaluators.cuda.verify import (
    Family,
    combine_cases,
    floor_bytes,
    peak_bandwidth,
    score_case,
)
from evaluators.verdict import InvalidOutput, Tampered
from tests.support.cuda_trials import (
    DEVICE,
    contract,
    harness_output,
    layernorm16,
    matmul16,
    record,
    softmax32,
)

SOFTMAX = contract("cuda_softmax")
LAYERNORM = contract("cuda_layernorm")
MATMUL = contract("cuda_matmul")
SMALL = Family("small", {"rows": [64, 100], "cols": [33, 256, 1000]}, trials=4, check_rows=6)
LN_SMALL = Family("small", {"rows": [50, 64], "cols": [96, 250]}, trials=3, check_rows=5)
MM_SMALL = Family("small", {"m": [70, 128], "n": [64, 100], "k": [96, 300]}, trials=3)


def score(kernel: Any, family: Family, output: Any) -> dict[str, float]:
    return score_case(kernel, family.case("search"), output)


@pytest.mark.parametrize(
    ("kernel", "family", "compute"),
    [
        (SOFTMAX, SMALL, softmax32),
        (LAYERNORM, LN_SMALL, layernorm16),
        (MATMUL, MM_SMALL, matmul16),
    ],
    ids=["softmax", "layernorm", "matmul"],
)
def test_correct_outputs_pass_and_score_the_median_speedup(
    kernel: Any, family: Family, compute: Any
) -> None:
    metrics = score(kernel, family, harness_output(kernel, family, compute, reference_ms=3.0))
    assert metrics["speedup"] == pytest.approx(3.0)
    assert metrics["kernel_ms"] == pytest.approx(1.0)
    assert 0 <= metrics["worst_error"] <= 1.0
    assert metrics["device_s"] == pytest.approx(family.trials * 4.0 / 1e3)


def test_wrong_values_are_invalid_and_name_the_row() -> None:
    def off_by_a_bit(x: Any) -> Any:
        y = softmax32(x)
        y[:, -1] *= 1.01  # the tail element of every row
        return y

    with pytest.raises(InvalidOutput, match=r"wrong result in row \d+: \d+ elements out of tol"):
        score(SOFTMAX, SMALL, harness_output(SOFTMAX, SMALL, off_by_a_bit))


def test_half_precision_accumulation_fails_the_float16_tolerance() -> None:
    def fp16_accumulate(a: Any, b: Any) -> Any:
        acc = np.zeros((a.shape[0], b.shape[1]), dtype=np.float16)
        for i in range(a.shape[1]):
            acc = (acc + a[:, i : i + 1] * b[i : i + 1, :]).astype(np.float16)
        return acc

    family = Family("deep", {"m": [64], "n": [64], "k": [2048]}, trials=1)
    with pytest.raises(InvalidOutput, match="wrong result"):
        score(MATMUL, family, harness_output(MATMUL, family, fp16_accumulate))
    score(MATMUL, family, harness_output(MATMUL, family, matmul16))  # fp32 accumulation passes


def test_modified_inputs_are_tampered() -> None:
    def zero_input(inputs: dict[str, Any], out: Any) -> Any:
        inputs["x"][0, 0] = 0.0  # the kernel wrote into x
        return out

    output = harness_output(SOFTMAX, SMALL, softmax32, spoil=zero_input)
    with pytest.raises(Tampered, match="modified its input buffers"):
        score(SOFTMAX, SMALL, output)


def test_unwritten_output_elements_are_caught_by_the_poison() -> None:
    def skip_tail(inputs: dict[str, Any], out: Any) -> Any:
        raw = out.view(np.uint16)
        raw[-1, -3:] = 0xFFFF  # the buffer's poison, never overwritten
        return out

    output = harness_output(LAYERNORM, LN_SMALL, layernorm16, spoil=skip_tail)
    with pytest.raises(InvalidOutput, match=r"3 of .* output elements were not written"):
        score(LAYERNORM, LN_SMALL, output)


def test_poison_count_comes_from_the_whole_output_not_the_sampled_rows() -> None:
    # The one unwritten element sits in a row that is not sent back (only the first and
    # last rows are, with check_rows=2): the count covers the whole output.
    def skip_one(inputs: dict[str, Any], out: Any) -> Any:
        out.view(np.uint32)[out.shape[0] // 2, 0] = 0xFFFFFFFF
        return out

    family = Family("tall", {"rows": [4096], "cols": [40]}, trials=1, check_rows=2)
    with pytest.raises(InvalidOutput, match="1 of 163840 output elements were not written"):
        score(SOFTMAX, family, harness_output(SOFTMAX, family, softmax32, spoil=skip_one))


def test_output_changing_after_the_timer_stopped_is_tampered() -> None:
    output = harness_output(SOFTMAX, SMALL, softmax32)
    output["trials"][1]["settled_digest"] = "0" * 64  # later work changed the output
    with pytest.raises(Tampered, match=r"trial 1 .*changed after the timer stopped"):
        score(SOFTMAX, SMALL, output)


def test_writes_outside_the_output_buffer_are_tampered() -> None:
    output = harness_output(SOFTMAX, SMALL, softmax32)
    output["trials"][2]["guard_changed"] = 16
    with pytest.raises(Tampered, match="wrote 16 bytes outside its output buffer"):
        score(SOFTMAX, SMALL, output)


def test_faster_than_the_memory_bandwidth_floor_is_tampered() -> None:
    family = Family("one", {"rows": [512], "cols": [1024]}, trials=3)
    dims = {"rows": 512, "cols": 1024}
    peak = peak_bandwidth(DEVICE)
    assert peak == pytest.approx(3.352e12, rel=1e-3)
    floor_ms = floor_bytes(SOFTMAX, dims, DEVICE["l2_bytes"]) / peak * 1e3
    honest = harness_output(SOFTMAX, family, softmax32, kernel_ms=floor_ms * 1.25)
    metrics = score(SOFTMAX, family, honest)
    assert metrics["bandwidth_fraction"] == pytest.approx(0.8)
    too_fast = harness_output(SOFTMAX, family, softmax32, kernel_ms=floor_ms / 2)
    with pytest.raises(Tampered, match="faster than the memory-bandwidth floor"):
        score(SOFTMAX, family, too_fast)


def test_floor_counts_output_the_l2_cannot_absorb() -> None:
    dims = {"rows": 4096, "cols": 8192}  # 128 MiB in, 128 MiB out
    inputs = 4096 * 8192 * 4
    assert floor_bytes(SOFTMAX, dims, 50 * 2**20) == inputs + inputs - 50 * 2**20
    assert floor_bytes(SOFTMAX, {"rows": 16, "cols": 16}, 50 * 2**20) == 16 * 16 * 4


def test_unknown_bandwidth_skips_the_floor_and_says_so() -> None:
    device = dict(DEVICE, memory_clock_khz=0)
    output = harness_output(SOFTMAX, SMALL, softmax32, device=device, kernel_ms=1e-9)
    assert score(SOFTMAX, SMALL, output)["bandwidth_fraction"] == 0.0


def test_dimensions_other_than_the_seed_gives_are_tampered() -> None:
    output = harness_output(SOFTMAX, SMALL, softmax32)
    output["trials"][0]["dims"] = {"rows": 64, "cols": 1}
    with pytest.raises(Tampered, match="but its seed gives"):
        score(SOFTMAX, SMALL, output)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_impossible_times_are_tampered(bad: float) -> None:
    output = harness_output(SOFTMAX, SMALL, softmax32)
    output["trials"][0]["kernel_ms"] = bad
    with pytest.raises(Tampered, match="is not a positive time"):
        score(SOFTMAX, SMALL, output)


def test_missing_trials_and_malformed_records_are_invalid() -> None:
    output = harness_output(SOFTMAX, SMALL, softmax32)
    short = dict(output, trials=output["trials"][:-1])
    with pytest.raises(InvalidOutput, match="expected 4 trials, got 3"):
        score(SOFTMAX, SMALL, short)
    del output["trials"][0]["poisoned"]
    with pytest.raises(InvalidOutput, match="trial 0: record lacks 'poisoned'"):
        score(SOFTMAX, SMALL, output)
    with pytest.raises(InvalidOutput, match="list of trial records"):
        score(SOFTMAX, SMALL, [1, 2, 3])


def test_sampled_rows_must_have_the_output_shape_and_dtype() -> None:
    output = harness_output(SOFTMAX, SMALL, softmax32)
    output["trials"][0]["values"] = output["trials"][0]["values"].astype(np.float64)
    with pytest.raises(InvalidOutput, match="dtype float64"):
        score(SOFTMAX, SMALL, output)


def test_first_and_last_rows_are_always_checked() -> None:
    rec = record(SOFTMAX, Family("t", {"rows": [500], "cols": [7]}, check_rows=4), 5, softmax32)
    assert rec["rows"][0] == 0 and rec["rows"][-1] == 499 and len(rec["rows"]) == 4


def test_nan_where_the_reference_is_finite_fails() -> None:
    def nan_row(inputs: dict[str, Any], out: Any) -> Any:
        out[0, 0] = np.nan  # a computed NaN, not the poison pattern
        return out

    output = harness_output(SOFTMAX, SMALL, softmax32, spoil=nan_row)
    assert output["trials"][0]["poisoned"] == 0
    with pytest.raises(InvalidOutput, match="wrong result in row 0"):
        score(SOFTMAX, SMALL, output)


def test_combine_takes_the_geometric_mean_of_speedups() -> None:
    per_case = [
        {"speedup": 4.0, "worst_error": 0.1, "kernel_ms": 1.0, "elapsed_s": 2.0},
        {"speedup": 0.25, "worst_error": 0.5, "kernel_ms": 3.0, "elapsed_s": 4.0},
        {"speedup": 1.0, "worst_error": 0.2, "kernel_ms": 2.0, "elapsed_s": 3.0},
    ]
    combined = combine_cases(per_case)
    assert combined["speedup"] == pytest.approx(1.0)
    assert combined["worst_error"] == 0.5
    assert combined["kernel_ms"] == pytest.approx(2.0)


def test_poison_byte_is_nan_in_both_float_formats() -> None:
    assert np.isnan(np.frombuffer(bytes([POISON_BYTE] * 4), dtype=np.float32)[0])
    assert np.isnan(np.frombuffer(bytes([POISON_BYTE] * 2), dtype=np.float16)[0])
