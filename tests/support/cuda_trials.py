"""Trial records for the CUDA verifier, with outputs computed here by NumPy.

Builds what the harness would send for a kernel whose output the test supplies (a NumPy
implementation of the operation, or a deliberately wrong one), so that the host's
verdicts can be exercised without a GPU. Records pass through the real wire format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from evaluators import wire
from evaluators.cuda.contract import KernelContract, load_contract
from evaluators.cuda.evidence import poison_count, sample_rows
from evaluators.cuda.inputs import digest, draw_dims, generate
from evaluators.cuda.verify import Family

PROBLEMS = Path(__file__).resolve().parents[2] / "problems"
# A device like an H100 SXM: 2619 MHz HBM3 on a 5120-bit bus (3.35 TB/s), 50 MiB of L2.
DEVICE = {
    "name": "test device",
    "compute_capability": 90,
    "memory_clock_khz": 2_619_000,
    "bus_width_bits": 5120,
    "l2_bytes": 50 * 1024 * 1024,
}


def contract(problem: str) -> KernelContract:
    return load_contract(str(PROBLEMS / problem / "kernel.py"))


def softmax32(x: Any) -> Any:
    shifted = x - x.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def layernorm16(x: Any, weight: Any, bias: Any) -> Any:
    v = x.astype(np.float32)
    mean = v.mean(axis=1, keepdims=True)
    var = ((v - mean) ** 2).mean(axis=1, keepdims=True)
    y = (v - mean) / np.sqrt(var + 1e-5) * weight.astype(np.float32) + bias.astype(np.float32)
    return y.astype(np.float16)


def matmul16(a: Any, b: Any) -> Any:
    return (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float16)


def record(
    kernel: KernelContract,
    family: Family,
    seed: int,
    compute: Callable[..., Any],
    *,
    kernel_ms: float = 1.0,
    reference_ms: float = 2.0,
    spoil: Callable[[dict[str, Any], Any], Any] | None = None,
) -> dict[str, Any]:
    """What the harness reports when the kernel computes ``compute(**inputs)``.

    ``spoil(inputs, output)`` may change the inputs in place (a kernel writing them) and
    returns the output as the kernel left it.
    """
    dims = draw_dims(family.dims, seed)
    inputs = generate(kernel, dims, seed)
    out = np.ascontiguousarray(compute(**inputs))
    if spoil is not None:
        out = np.ascontiguousarray(spoil(inputs, out))
    rows = sample_rows(out.shape[0], family.check_rows)
    return {
        "seed": seed,
        "dims": dims,
        "kernel_ms": kernel_ms,
        "reference_ms": reference_ms,
        "output_digest": digest([out]),
        "settled_digest": digest([out]),
        "input_digest": digest(list(inputs.values())),
        "poisoned": poison_count(out),
        "guard_changed": 0,
        "rows": rows,
        "values": out[rows],
    }


def harness_output(
    kernel: KernelContract,
    family: Family,
    compute: Callable[..., Any],
    seeds: list[int] | None = None,
    device: Mapping[str, Any] = DEVICE,
    **options: Any,
) -> Any:
    """A whole case's output, encoded and decoded like the channel does."""
    seeds = seeds or [101 + i for i in range(family.trials)]
    trials = [record(kernel, family, s, compute, **options) for s in seeds]
    output = {"device": dict(device), "arch": "sm_90", "knobs": {}, "trials": trials}
    return wire.decode(wire.encode(output))
