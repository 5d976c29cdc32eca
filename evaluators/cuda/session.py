"""The harness's CUDA mode: screen, compile and check the candidate, then run its trials.

Loading fails with the reason the model needs: a disallowed ``#include``
(:class:`SourceRejected`), NVRTC's log (:class:`CompileError`), or a kernel that breaks
the problem's contract (:class:`ContractError`); without a GPU these are still found
(compiling for the contract's portable architecture) before :class:`GpuUnavailable`.
Each case then runs ``warmup`` untimed rounds and ``trials`` timed trials, each on a new
seed drawn here, and returns the raw trial records for the host to judge.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Mapping
from typing import Any

from evaluators.cuda import nvrtc
from evaluators.cuda.contract import ContractError, KernelContract, load_contract
from evaluators.cuda.device import GpuDevice, GpuUnavailable
from evaluators.cuda.inputs import draw_dims
from evaluators.cuda.ptx import read_ptx
from evaluators.cuda.screen import screen_source

MAX_TRIALS = 1000
MAX_CHECK_ROWS = 64


def preload() -> None:
    """Import what a trial needs (CuPy where installed) and find NVRTC, ahead of time."""
    GpuDevice.preload()
    with contextlib.suppress(nvrtc.CompilerUnavailable):  # reported at compilation
        nvrtc.version()


def compile_checked(
    source: str, contract: KernelContract, name: str = "candidate.cu", arch: str | None = None
) -> tuple[nvrtc.Compiled, dict[str, int]]:
    """Screen and compile ``source`` to PTX (for ``arch``, by default the contract's
    portable one) and read its launch knobs; raises what the model must fix."""
    screen_source(source)
    compiled = nvrtc.compile_source(source, arch or contract.arch, name)
    knobs = contract.check_ptx(read_ptx(compiled.data.decode("utf-8", errors="replace")))
    return compiled, knobs


def case_plan(case_input: Mapping[str, Any], contract: KernelContract) -> dict[str, Any]:
    """Validate a case's input (written by the problem's verifier) and return it as a plan."""
    dims = case_input.get("dims")
    if not isinstance(dims, Mapping) or set(dims) != set(contract.dim_names):
        raise ContractError(f"case input must give choices for dims {sorted(contract.dim_names)}")
    for name, options in dims.items():
        if not options or not all(isinstance(v, int) and v > 0 for v in options):
            raise ContractError(f"dimension {name}: choices must be positive integers")
    trials = int(case_input.get("trials", 10))
    warmup = int(case_input.get("warmup", 2))
    check_rows = int(case_input.get("check_rows", 8))
    if not 1 <= trials <= MAX_TRIALS or not 0 <= warmup <= MAX_TRIALS:
        raise ContractError(f"trials must be in [1, {MAX_TRIALS}] and warmup in [0, {MAX_TRIALS}]")
    if not 1 <= check_rows <= MAX_CHECK_ROWS:
        raise ContractError(f"check_rows must be in [1, {MAX_CHECK_ROWS}]")
    return {
        "dims": {k: list(v) for k, v in dims.items()},
        "trials": trials,
        "warmup": warmup,
        "check_rows": check_rows,
    }


class KernelSession:
    """One candidate, compiled and loaded on the sandbox's GPU, ready to run cases."""

    def __init__(self, candidate_path: str, kernel_path: str) -> None:
        with open(candidate_path, encoding="utf-8") as fh:
            source = fh.read()
        self.contract = load_contract(kernel_path)
        try:
            self.gpu = GpuDevice.open()
        except GpuUnavailable:
            compile_checked(source, self.contract)  # the candidate's own errors come first
            raise
        # Compiled for the device at hand, so that its own instructions are usable: PTX to
        # read the knobs, a CUBIN to run. PTX (JIT by the driver) where NVRTC lacks the arch.
        cc = self.gpu.compute_capability
        known = cc in nvrtc.supported_archs()
        ptx, self.knobs = compile_checked(
            source, self.contract, arch=f"compute_{cc}" if known else None
        )
        binary = nvrtc.compile_source(source, f"sm_{cc}") if known else ptx
        self.arch = binary.arch
        self.kernel = self.gpu.load(binary.data, binary.kind, self.contract.entry)

    def run_case(self, case_input: Mapping[str, Any]) -> dict[str, Any]:
        plan = case_plan(case_input, self.contract)
        seeds = [secrets.randbits(63) for _ in range(plan["trials"])]
        first = draw_dims(plan["dims"], seeds[0])
        self.gpu.warm_up(
            self.kernel,
            self.contract,
            first,
            self.contract.plan_launch(first, self.knobs),
            plan["warmup"],
        )
        trials = []
        for seed in seeds:
            dims = draw_dims(plan["dims"], seed)
            launch = self.contract.plan_launch(dims, self.knobs)
            trials.append(
                self.gpu.trial(self.kernel, self.contract, dims, launch, seed, plan["check_rows"])
            )
        return {
            "device": dict(self.gpu.facts),
            "arch": self.arch,
            "knobs": dict(self.knobs),
            "trials": trials,
        }
