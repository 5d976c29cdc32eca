"""Tolerances per output dtype, and the element-wise comparison against a float64 reference.

An element passes when ``|got - want| <= atol + rtol * |want|``. The bounds allow the
rounding of the output dtype plus a different (fp32) summation order, and no more: a kernel
that accumulates in half precision fails on realistic sizes, by design. NaN or infinity
where the reference is finite always fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float


TOLERANCES = {
    "float32": Tolerance(rtol=1e-4, atol=1e-5),
    "float16": Tolerance(rtol=1e-2, atol=1e-2),
}


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing one block of output with its reference."""

    ok: bool
    worst_ratio: float  # max |error| / allowed over the block (> 1 fails)
    mismatches: int
    where: tuple[int, ...] = ()  # index of the worst element
    got: float = 0.0
    want: float = 0.0
    allowed: float = 0.0

    def describe(self) -> str:
        at = ",".join(str(i) for i in self.where)
        return (
            f"{self.mismatches} elements out of tolerance; worst at [{at}]: got {self.got:.6g}, "
            f"expected {self.want:.6g} (allowed error {self.allowed:.3g})"
        )


def compare(got: Any, want: Any, dtype: str) -> Comparison:
    """Compare ``got`` (the kernel's output) with ``want`` (float64 reference), same shape."""
    tol = TOLERANCES[dtype]
    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    if g.shape != w.shape:
        raise ValueError(f"shape {g.shape} does not match the reference's {w.shape}")
    allowed = tol.atol + tol.rtol * np.abs(w)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(g - w)
        ratio = np.where(np.isfinite(error), error / allowed, np.inf)
    bad = ~(ratio <= 1.0)
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape) if ratio.size else ()
    worst_ratio = float(ratio[worst]) if ratio.size else 0.0
    where = tuple(int(i) for i in worst)
    return Comparison(
        ok=not bool(bad.any()),
        worst_ratio=worst_ratio,
        mismatches=int(bad.sum()),
        where=where,
        got=float(g[where]) if ratio.size else 0.0,
        want=float(w[where]) if ratio.size else 0.0,
        allowed=float(allowed[where]) if ratio.size else 0.0,
    )
