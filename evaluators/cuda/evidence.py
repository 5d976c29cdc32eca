"""The raw facts the harness records about one trial, computed from host copies.

These are measurements, not verdicts: how many output elements still hold the poison
pattern, how many guard bytes around the output changed, digests of the output when the
timer stopped and after the device settled, which rows are sent back for checking. The
host's verifier turns them into verdicts.
"""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np

POISON_BYTE = 0xFF  # all-ones: a NaN in every float format, and never a computed result
GUARD_BYTES = 64 * 1024  # on each side of the output buffer; a multiple of 256 keeps alignment


def poison_count(output: Any) -> int:
    """Elements whose every byte is still the poison byte (never written by the kernel)."""
    arr = np.ascontiguousarray(output)
    unsigned = arr.view(f"u{arr.dtype.itemsize}")
    return int(np.count_nonzero(unsigned == np.iinfo(unsigned.dtype).max))


def guard_changes(guards: Any) -> int:
    """Guard bytes that no longer hold the poison byte (written out of bounds)."""
    return int(np.count_nonzero(np.asarray(guards, dtype=np.uint8) != POISON_BYTE))


def sample_rows(rows: int, count: int) -> list[int]:
    """The first and last row and ``count - 2`` others, chosen unpredictably, sorted."""
    if rows <= count:
        return list(range(rows))
    picked = {0, rows - 1}
    while len(picked) < count:
        picked.add(secrets.randbelow(rows))
    return sorted(picked)
