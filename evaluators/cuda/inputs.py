"""Fresh trial inputs from a seed, identical wherever they are generated.

The harness draws a new 63-bit seed for every trial; from it alone the trial's dimensions
and every input tensor follow. The host regenerates them from the seed the harness reports
to compute the reference and to check that the kernel left its inputs unchanged. Only
version-stable parts of NumPy are used (the raw PCG64 bit stream and IEEE arithmetic), so
both sides agree bit for bit even with different NumPy versions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from evaluators.cuda.contract import KernelContract

MASK64 = (1 << 64) - 1


def mix64(*values: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps): picks dimensions from a seed."""
    h = 0x9E3779B97F4A7C15
    for v in values:
        h = (h ^ (v & MASK64)) & MASK64
        h = (h + 0x9E3779B97F4A7C15) & MASK64
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & MASK64
        h ^= h >> 31
    return h


def draw_dims(choices: Mapping[str, Sequence[int]], seed: int) -> dict[str, int]:
    """One value per dimension, picked from its choices by the trial seed."""
    out = {}
    for index, name in enumerate(sorted(choices)):
        options = list(choices[name])
        out[name] = int(options[mix64(seed, index) % len(options)])
    return out


def generate(contract: KernelContract, dims: Mapping[str, int], seed: int) -> dict[str, Any]:
    """The trial's input arrays, uniform in each tensor's ``[low, high)``, by name."""
    arrays: dict[str, Any] = {}
    for index, tensor in enumerate(contract.inputs):
        shape = tensor.shape(dims)
        count = int(np.prod(shape, dtype=np.int64))
        bits = np.random.PCG64(np.random.SeedSequence([seed, index])).random_raw(count)
        unit = (bits >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)
        span = np.float32(tensor.high - tensor.low)
        values = np.float32(tensor.low) + span * unit
        arrays[tensor.name] = values.astype(tensor.dtype).reshape(shape)
    return arrays


def digest(arrays: Sequence[Any]) -> str:
    """SHA-256 over arrays' dtypes, shapes and bytes (C order, little-endian)."""
    h = hashlib.sha256()
    for arr in arrays:
        a = np.ascontiguousarray(arr)
        h.update(f"{a.dtype.str}{a.shape};".encode())
        h.update(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())
    return h.hexdigest()
