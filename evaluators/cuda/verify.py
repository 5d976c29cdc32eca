"""Host-side judgement of a CUDA case: correctness on fresh inputs and the hardening verdicts.

For every trial record the harness sent, in this order:
  dims     the dimensions must be those the trial's seed gives             (else tampered)
  inputs   the inputs after the call must hash like the regenerated inputs:
           the kernel must not write its inputs                            (else tampered)
  settled  the output when the timer stopped must equal the output after the
           device synchronised: no work may land after the timed region    (else tampered)
  guards   no byte around the output buffer may change                     (else tampered)
  poison   every output element must have been written by this call        (else invalid)
  values   the sampled rows must match a float64 NumPy reference computed
           here, within the output dtype's tolerance                       (else invalid)
  floor    the kernel may not beat the time the device's peak memory bandwidth
           needs for the bytes any correct kernel must move                 (else tampered)
A case's score is the median over its trials of (library time / kernel time), both timed
on the same inputs in the same process; the run's is their geometric mean.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.cuda.contract import ContractError, KernelContract, load_contract
from evaluators.cuda.inputs import digest, draw_dims, generate
from evaluators.cuda.session import case_plan
from evaluators.cuda.tolerance import compare
from evaluators.verdict import InvalidOutput, Tampered

# Measured time may undercut the floor by this factor before it is called impossible
# (event resolution, a few input lines surviving the L2 eviction).
FLOOR_SLACK = 1.05


@dataclass(frozen=True)
class Family:
    """A group of trials: each trial draws every dimension from these choices."""

    name: str
    dims: Mapping[str, Sequence[int]]
    trials: int = 10
    warmup: int = 2
    check_rows: int = 8

    def case(self, split: str) -> dict[str, Any]:
        return {
            "id": f"{split}-{self.name}",
            "input": {
                "dims": {k: list(v) for k, v in self.dims.items()},
                "trials": self.trials,
                "warmup": self.warmup,
                "check_rows": self.check_rows,
            },
        }


@dataclass
class TrialRecord:
    """One trial as the harness reported it, with every field type-checked."""

    seed: int
    dims: dict[str, int]
    kernel_ms: float
    reference_ms: float
    output_digest: str
    settled_digest: str
    input_digest: str
    poisoned: int
    guard_changed: int
    rows: list[int]
    values: Any = field(repr=False)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_record(raw: Any, index: int) -> TrialRecord:
    if not isinstance(raw, dict):
        raise InvalidOutput(f"trial {index}: record is not a mapping")
    try:
        rec = TrialRecord(**{k: raw[k] for k in TrialRecord.__dataclass_fields__})
    except KeyError as exc:
        raise InvalidOutput(f"trial {index}: record lacks {exc}") from None
    ok = (
        _int(rec.seed)
        and isinstance(rec.dims, dict)
        and all(isinstance(k, str) and _int(v) for k, v in rec.dims.items())
        and all(isinstance(getattr(rec, k), (int, float)) for k in ("kernel_ms", "reference_ms"))
        and all(
            isinstance(getattr(rec, k), str)
            for k in ("output_digest", "settled_digest", "input_digest")
        )
        and _int(rec.poisoned)
        and _int(rec.guard_changed)
        and isinstance(rec.rows, list)
        and all(_int(r) for r in rec.rows)
        and isinstance(rec.values, np.ndarray)
    )
    if not ok:
        raise InvalidOutput(f"trial {index}: record has fields of the wrong type")
    for name in ("kernel_ms", "reference_ms"):
        value = float(getattr(rec, name))
        if not math.isfinite(value) or value <= 0:
            raise Tampered(f"trial {index}: {name} = {value} is not a positive time")
    return rec


def peak_bandwidth(device: Mapping[str, Any]) -> float | None:
    """The device's peak DRAM bandwidth in bytes/s (double data rate), or None if unknown."""
    clock, width = device.get("memory_clock_khz"), device.get("bus_width_bits")
    if not (_int(clock) and _int(width)) or clock <= 0 or width <= 0:
        return None
    return 2.0 * clock * 1e3 * width / 8.0


def floor_bytes(contract: KernelContract, dims: Mapping[str, int], l2_bytes: int) -> int:
    """Bytes that must cross the DRAM bus: every input, and output the L2 cannot absorb."""
    return contract.must_read_bytes(dims) + max(0, contract.output.nbytes(dims) - l2_bytes)


def _where(dims: Mapping[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(dims.items()))


def check_dims(plan: Mapping[str, Any], rec: TrialRecord, i: int) -> dict[str, int]:
    expected = draw_dims(plan["dims"], rec.seed)
    if rec.dims != expected:
        raise Tampered(f"trial {i}: ran dims {_where(rec.dims)}, but its seed gives {expected}")
    return expected


def check_inputs_unchanged(inputs: Mapping[str, Any], rec: TrialRecord, i: int) -> None:
    if digest(list(inputs.values())) != rec.input_digest:
        raise Tampered(f"trial {i} ({_where(rec.dims)}): the kernel modified its input buffers")


def check_settled(rec: TrialRecord, i: int) -> None:
    if rec.output_digest != rec.settled_digest:
        raise Tampered(
            f"trial {i} ({_where(rec.dims)}): the output changed after the timer stopped "
            "(work deferred outside the timed region)"
        )


def check_guards(rec: TrialRecord, i: int) -> None:
    if rec.guard_changed:
        raise Tampered(
            f"trial {i} ({_where(rec.dims)}): the kernel wrote {rec.guard_changed} bytes "
            "outside its output buffer"
        )


def check_poison(rec: TrialRecord, i: int, elements: int) -> None:
    if rec.poisoned:
        raise InvalidOutput(
            f"trial {i} ({_where(rec.dims)}): {rec.poisoned} of {elements} output elements "
            "were not written by this call (they still hold the poison pattern)"
        )


def reference_rows(contract: KernelContract, inputs: Mapping[str, Any], rows: Sequence[int]) -> Any:
    """The library function in float64 NumPy, on the sampled rows only."""
    sliced = set(contract.row_sliced())
    args = {
        name: (arr[list(rows)] if name in sliced else arr).astype(np.float64)
        for name, arr in inputs.items()
    }
    return np.asarray(contract.library(np, **args), dtype=np.float64)


def check_values(
    contract: KernelContract, inputs: Mapping[str, Any], rec: TrialRecord, i: int
) -> float:
    """Compare the sampled rows; returns the worst error as a fraction of the tolerance."""
    n_rows, n_cols = contract.output.shape(rec.dims)
    rows = rec.rows
    if rows != sorted(set(rows)) or not rows or rows[0] < 0 or rows[-1] >= n_rows:
        raise InvalidOutput(f"trial {i}: sampled row indices are not sorted, unique and in range")
    values = rec.values
    if values.shape != (len(rows), n_cols) or str(values.dtype) != contract.output.dtype:
        raise InvalidOutput(
            f"trial {i}: sampled rows have shape {values.shape} and dtype {values.dtype}, "
            f"expected {(len(rows), n_cols)} {contract.output.dtype}"
        )
    result = compare(values, reference_rows(contract, inputs, rows), contract.output.dtype)
    if not result.ok:
        row = rows[result.where[0]]
        raise InvalidOutput(
            f"trial {i} ({_where(rec.dims)}): wrong result in row {row}: {result.describe()}"
        )
    return result.worst_ratio


def check_floor(
    contract: KernelContract,
    rec: TrialRecord,
    peak: float | None,
    l2_bytes: int,
    i: int,
) -> float | None:
    """Fraction of peak bandwidth the kernel reached; tampered when it is impossible."""
    if peak is None:
        return None
    moved = floor_bytes(contract, rec.dims, l2_bytes)
    floor_ms = moved / peak * 1e3
    if rec.kernel_ms * FLOOR_SLACK < floor_ms:
        raise Tampered(
            f"trial {i} ({_where(rec.dims)}): {rec.kernel_ms:.4g} ms is faster than the "
            f"memory-bandwidth floor: {moved / 1e6:.1f} MB at the device's peak "
            f"{peak / 1e9:.0f} GB/s take at least {floor_ms:.4g} ms"
        )
    return floor_ms / rec.kernel_ms


def score_case(contract: KernelContract, case: Mapping[str, Any], output: Any) -> dict[str, float]:
    """Metrics for one case from the harness's raw output, or InvalidOutput/Tampered."""
    try:
        plan = case_plan(case["input"], contract)
    except ContractError as exc:
        raise InvalidOutput(f"case {case.get('id')}: {exc}") from None
    if not isinstance(output, dict) or not isinstance(output.get("trials"), list):
        raise InvalidOutput("expected a mapping with a list of trial records")
    device = output.get("device")
    if not isinstance(device, dict):
        raise InvalidOutput("output lacks the device description")
    records = output["trials"]
    if len(records) != plan["trials"]:
        raise InvalidOutput(f"expected {plan['trials']} trials, got {len(records)}")
    peak = peak_bandwidth(device)
    l2 = device.get("l2_bytes")
    l2_bytes = l2 if _int(l2) and l2 > 0 else 0
    ratios, kernel, reference, fractions, worst = [], [], [], [], 0.0
    for i, raw in enumerate(records):
        rec = parse_record(raw, i)
        dims = check_dims(plan, rec, i)
        inputs = generate(contract, dims, rec.seed)
        check_inputs_unchanged(inputs, rec, i)
        check_settled(rec, i)
        check_guards(rec, i)
        check_poison(rec, i, math.prod(contract.output.shape(dims)))
        worst = max(worst, check_values(contract, inputs, rec, i))
        fraction = check_floor(contract, rec, peak, l2_bytes, i)
        if fraction is not None:
            fractions.append(fraction)
        ratios.append(rec.reference_ms / rec.kernel_ms)
        kernel.append(rec.kernel_ms)
        reference.append(rec.reference_ms)
    return {
        "speedup": statistics.median(ratios),
        "kernel_ms": statistics.median(kernel),
        "reference_ms": statistics.median(reference),
        "worst_error": worst,
        "bandwidth_fraction": statistics.median(fractions) if fractions else 0.0,
        "device_s": (math.fsum(kernel) + math.fsum(reference)) / 1e3,
    }


def combine_cases(per_case: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Geometric mean of the speedups; means of the times; the worst error overall."""
    if not per_case:
        return {}
    speedups = [m["speedup"] for m in per_case]
    out = {
        "speedup": math.exp(math.fsum(math.log(s) for s in speedups) / len(speedups)),
        "worst_error": max(m["worst_error"] for m in per_case),
    }
    for key in ("kernel_ms", "reference_ms", "bandwidth_fraction", "elapsed_s"):
        if all(key in m for m in per_case):
            out[key] = math.fsum(m[key] for m in per_case) / len(per_case)
    return out


class KernelVerifier:
    """A CUDA problem's verifier: ``cases``, ``score`` and ``combine`` from its contract."""

    def __init__(
        self, kernel_path: str | Path, search: Sequence[Family], heldout: Sequence[Family]
    ) -> None:
        self.contract = load_contract(str(kernel_path))
        self.families = {"search": list(search), "heldout": list(heldout)}

    def cases(self, split: str, seed: int) -> list[dict[str, Any]]:
        # The trial seeds, and so the inputs, are drawn afresh by the harness on every
        # evaluation; ``seed`` has nothing left to choose.
        return [f.case(split) for f in self.families[split]]

    def score(self, case: Mapping[str, Any], output: Any) -> dict[str, float]:
        return score_case(self.contract, case, output)

    def combine(self, per_case: Sequence[Mapping[str, float]]) -> dict[str, float]:
        return combine_cases(per_case)
