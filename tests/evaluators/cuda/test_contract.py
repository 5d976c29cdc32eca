"""A kernel problem's contract: signature, launch knobs and launch limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluators.cuda import nvrtc
from evaluators.cuda.contract import ContractError, Launch, load_contract
from evaluators.cuda.ptx import PtxInfo, read_ptx
from evaluators.cuda.session import compile_checked
from tests.support.cuda_trials import contract
from tests.support.require import require

SOFTMAX = contract("cuda_softmax")
MATMUL = contract("cuda_matmul")
GOOD = PtxInfo(
    entries={"softmax": ["u64", "u64", "u32", "u32"]},
    constants={"THREADS": 256, "ROWS_PER_BLOCK": 2},
)


def test_signature_is_written_out_for_prompts_and_errors() -> None:
    assert SOFTMAX.c_signature() == (
        'extern "C" __global__ void softmax(const float* x, float* y, int rows, int cols)'
    )
    assert "const __half* weight" in contract("cuda_layernorm").c_signature()


def test_knobs_are_read_from_a_conforming_kernel() -> None:
    assert SOFTMAX.check_ptx(GOOD) == {"THREADS": 256, "ROWS_PER_BLOCK": 2}


def test_a_missing_kernel_names_what_was_found_and_what_is_needed() -> None:
    info = PtxInfo(entries={"softmax_v2": []}, constants=GOOD.constants)
    with pytest.raises(ContractError, match=r"no kernel named softmax \(kernels found: softmax_v2"):
        SOFTMAX.check_ptx(info)


def test_a_changed_signature_is_rejected() -> None:
    info = PtxInfo(entries={"softmax": ["u64", "u64", "u32"]}, constants=GOOD.constants)
    with pytest.raises(ContractError, match=r"has parameters .* but the contract is"):
        SOFTMAX.check_ptx(info)


def test_missing_or_out_of_range_knobs_are_rejected() -> None:
    with pytest.raises(ContractError, match='define extern "C" __constant__ int ROWS_PER_BLOCK'):
        SOFTMAX.check_ptx(PtxInfo(entries=GOOD.entries, constants={"THREADS": 64}))
    with pytest.raises(ContractError, match=r"THREADS = 2048 is outside \[32, 1024\]"):
        SOFTMAX.check_ptx(
            PtxInfo(entries=GOOD.entries, constants={"THREADS": 2048, "ROWS_PER_BLOCK": 1})
        )


def test_launch_geometry_follows_the_knobs() -> None:
    launch = MATMUL.plan_launch(
        {"m": 1000, "n": 300, "k": 64},
        {"TILE_M": 64, "TILE_N": 128, "BLOCK_X": 16, "BLOCK_Y": 16, "SHARED_BYTES": 65536},
    )
    assert launch == Launch(grid=(3, 16, 1), block=(16, 16, 1), shared_bytes=65536)


def test_launches_beyond_the_hardware_limits_are_rejected() -> None:
    knobs = {"TILE_M": 64, "TILE_N": 64, "BLOCK_X": 64, "BLOCK_Y": 32, "SHARED_BYTES": 0}
    with pytest.raises(ContractError, match="has 2048 threads"):
        MATMUL.plan_launch({"m": 64, "n": 64, "k": 64}, knobs)
    knobs = dict(knobs, BLOCK_X=16, SHARED_BYTES=300_000)
    with pytest.raises(ContractError, match="dynamic shared memory"):
        MATMUL.plan_launch({"m": 64, "n": 64, "k": 64}, knobs)


def test_row_sliced_inputs_are_those_indexed_by_output_row() -> None:
    assert MATMUL.row_sliced() == ("a",)
    assert contract("cuda_layernorm").row_sliced() == ("x",)


def test_loading_a_file_without_a_contract_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "kernel.py"
    path.write_text("KERNEL = 42\n")
    with pytest.raises(ContractError, match="defines no KERNEL = KernelContract"):
        load_contract(str(path))


def test_compile_checked_reads_the_seed_knobs_from_real_ptx() -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")
    seed = Path(__file__).resolve().parents[3] / "problems/cuda_matmul/initial.cu"
    compiled, knobs = compile_checked(seed.read_text(), MATMUL)
    assert knobs == {"TILE_M": 16, "TILE_N": 16, "BLOCK_X": 16, "BLOCK_Y": 16, "SHARED_BYTES": 0}
    assert read_ptx(compiled.data.decode()).entries["matmul"] == MATMUL.ptx_signature()
