"""The harness's GPU code run on the CPU: real trials through a NumPy stand-in for CuPy.

``KernelSession`` compiles the real seed with NVRTC (for sm_90, as on an H100), then runs
its cases through ``evaluators/cuda/device.py`` unchanged, with CuPy replaced by
``fake_cupy`` and the kernel by a Python function. Each cheat below is what a kernel can
do from device code; the records it produces pass through the real wire format to the
host's verifier, which must name the cheat. ``test_gpu_trials.py`` runs real kernels on a
real GPU where there is one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evaluators import wire
from evaluators.cuda import device, nvrtc
from evaluators.cuda.evidence import GUARD_BYTES
from evaluators.cuda.inputs import draw_dims, generate
from evaluators.cuda.session import KernelSession
from evaluators.cuda.verify import Family, score_case
from evaluators.verdict import InvalidOutput, Tampered
from tests.evaluators.cuda.fake_cupy import FakeCupy, FakeKernel
from tests.support.cuda_trials import PROBLEMS, contract, matmul16, softmax32
from tests.support.require import require

SOFTMAX = contract("cuda_softmax")
FAMILY = Family("t", {"rows": [64, 100, 257], "cols": [33, 256, 1000]}, trials=6, check_rows=5)


@pytest.fixture(autouse=True)
def _compiler() -> None:
    require(nvrtc.available() is None, f"NVRTC: {nvrtc.available()}")
    if 90 not in nvrtc.supported_archs():
        pytest.skip("this NVRTC cannot emit sm_90")


@pytest.fixture
def gpu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., FakeCupy]]:
    """Install a fake CuPy whose kernel is ``body``; returns the module."""
    # a small L2 to evict: the real 4 x 50 MiB read per trial only costs time on a CPU
    monkeypatch.setattr(device, "MIN_FLUSH_BYTES", 1 << 20)

    def install(body: Callable[..., None], **facts: int) -> FakeCupy:
        fake = FakeCupy(FakeKernel(body), {"l2_bytes": 256 * 1024, **facts})
        monkeypatch.setitem(sys.modules, "cupy", fake)
        return fake

    yield install


def honest(x: Any, y: Any, rows: Any, cols: Any) -> None:
    y[...] = softmax32(x)


def session(tmp_path: Path, name: str = "cuda_softmax", source: str | None = None) -> KernelSession:
    path = tmp_path / "candidate.cu"
    path.write_text(source or (PROBLEMS / name / "initial.cu").read_text())
    return KernelSession(str(path), str(PROBLEMS / name / "kernel.py"))


def judged(kernel_session: KernelSession, family: Family = FAMILY) -> dict[str, float]:
    """Run a case in the session and score it on the host, through the real channel."""
    case = family.case("search")
    output = wire.decode(wire.encode(kernel_session.run_case(case["input"])))
    return score_case(kernel_session.contract, case, output)


def test_an_honest_kernel_scores_with_fresh_inputs_and_shapes_every_trial(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    fake = gpu(honest)
    ks = session(tmp_path)
    assert ks.arch == "sm_90" and ks.knobs == {"THREADS": 128, "ROWS_PER_BLOCK": 1}
    first = ks.run_case(FAMILY.case("search")["input"])
    seeds = [t["seed"] for t in first["trials"]]
    assert len(set(seeds)) == FAMILY.trials  # a new seed per trial ...
    assert all(t["dims"] == draw_dims(FAMILY.dims, t["seed"]) for t in first["trials"])
    second = ks.run_case(FAMILY.case("search")["input"])
    assert not {t["seed"] for t in second["trials"]} & set(seeds)  # ... and per evaluation
    launches = fake.kernel.launches
    assert len(launches) == 2 * (FAMILY.warmup + FAMILY.trials)  # warm-up rounds, then trials
    trial_launches = launches[FAMILY.warmup : FAMILY.warmup + FAMILY.trials]
    for launch, trial in zip(trial_launches, first["trials"], strict=True):
        assert launch["grid"] == (trial["dims"]["rows"], 1, 1)  # ROWS_PER_BLOCK = 1
        assert launch["block"] == (128, 1, 1)  # THREADS, read from the candidate's PTX
    assert fake.synchronized > 0
    metrics = judged(ks)
    assert metrics["speedup"] > 0 and metrics["worst_error"] <= 1.0
    assert 0 < metrics["bandwidth_fraction"] < 1


def test_the_launch_follows_the_knobs_the_candidate_defines(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    fake = gpu(honest)
    seed = (PROBLEMS / "cuda_softmax" / "initial.cu").read_text()
    source = seed.replace("kThreads = 128", "kThreads = 256").replace(
        "kRowsPerBlock = 1", "kRowsPerBlock = 4"
    )
    ks = session(tmp_path, source=source)
    output = ks.run_case(FAMILY.case("search")["input"])
    launch, trial = fake.kernel.launches[-1], output["trials"][-1]
    assert launch["block"] == (256, 1, 1)
    assert launch["grid"] == (-(-trial["dims"]["rows"] // 4), 1, 1)


def test_a_kernel_writing_its_input_is_tampered(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    def writes_input(x: Any, y: Any, rows: Any, cols: Any) -> None:
        honest(x, y, rows, cols)
        x[0, 0] = 0.0

    gpu(writes_input)
    with pytest.raises(Tampered, match="modified its input buffers"):
        judged(session(tmp_path))


def test_a_kernel_that_leaves_output_unwritten_is_caught_by_the_poison(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    def skips_last_column(x: Any, y: Any, rows: Any, cols: Any) -> None:
        y[:, :-1] = softmax32(x)[:, :-1]

    gpu(skips_last_column)
    with pytest.raises(InvalidOutput, match="were not written by this call"):
        judged(session(tmp_path))


def test_a_kernel_replaying_an_earlier_output_is_caught_by_the_poison(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    calls = {"n": 0}

    def computes_once(x: Any, y: Any, rows: Any, cols: Any) -> None:
        calls["n"] += 1
        if calls["n"] <= 1:  # warm-up: computes; later calls hope the buffer kept it
            honest(x, y, rows, cols)

    gpu(computes_once)
    with pytest.raises(InvalidOutput, match="were not written by this call"):
        judged(session(tmp_path))


def test_a_kernel_writing_beside_its_output_is_tampered(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    def writes_past_the_end(x: Any, y: Any, rows: Any, cols: Any) -> None:
        honest(x, y, rows, cols)
        whole = FakeKernel.buffer_of(y)
        if whole.size > y.nbytes:  # a timed trial (warm-up outputs have no guard zones)
            whole[GUARD_BYTES + y.nbytes + 3] = 0  # a byte of y[rows * cols]

    gpu(writes_past_the_end)
    with pytest.raises(Tampered, match=r"wrote 1 bytes outside its output buffer"):
        judged(session(tmp_path))


def test_work_deferred_past_the_timer_is_tampered(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    fake: FakeCupy

    def deferred(x: Any, y: Any, rows: Any, cols: Any) -> None:
        result = softmax32(x)
        fake.defer(lambda: y.__setitem__(Ellipsis, result))  # lands after the end event

    fake = gpu(deferred)
    with pytest.raises(Tampered, match="changed after the timer stopped"):
        judged(session(tmp_path))


def test_a_wrong_kernel_is_invalid_with_the_row(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    def off(x: Any, y: Any, rows: Any, cols: Any) -> None:
        y[...] = softmax32(x) * np.float32(1.01)

    gpu(off)
    with pytest.raises(InvalidOutput, match=r"wrong result in row \d+"):
        judged(session(tmp_path))


def test_a_time_below_the_bandwidth_floor_is_tampered(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    # The same honest kernel on a device whose memory moves 2 kB/s: any time is impossible.
    gpu(honest, memory_clock_khz=1, bus_width_bits=8)
    with pytest.raises(Tampered, match="faster than the memory-bandwidth floor"):
        judged(session(tmp_path))


def test_inputs_are_what_the_host_regenerates_from_each_seed(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    seen: list[Any] = []

    def records(x: Any, y: Any, rows: Any, cols: Any) -> None:
        seen.append(np.array(x))
        honest(x, y, rows, cols)

    gpu(records)
    ks = session(tmp_path)
    output = ks.run_case(FAMILY.case("search")["input"])
    timed = seen[FAMILY.warmup :]
    for x, trial in zip(timed, output["trials"], strict=True):
        expected = generate(SOFTMAX, trial["dims"], trial["seed"])["x"]
        assert np.array_equal(x, expected)


def test_matmul_opts_in_to_more_than_48_kib_of_shared_memory(
    tmp_path: Path, gpu: Callable[..., FakeCupy]
) -> None:
    def mm(a: Any, b: Any, c: Any, m: Any, n: Any, k: Any) -> None:
        c[...] = matmul16(a, b)

    fake = gpu(mm)
    seed = (PROBLEMS / "cuda_matmul" / "initial.cu").read_text()
    source = seed.replace("SHARED_BYTES = 0", "SHARED_BYTES = 65536")
    ks = session(tmp_path, "cuda_matmul", source)
    family = Family("mm", {"m": [70, 128], "n": [64, 100], "k": [96, 300]}, trials=2)
    metrics = judged(ks, family)
    assert metrics["worst_error"] <= 1.0
    assert fake.kernel.max_dynamic_shared_size_bytes == 65536
    assert {launch["shared"] for launch in fake.kernel.launches} == {65536}
