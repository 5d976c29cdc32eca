"""Where real workloads live: the ``ADRS_DATA_DIR`` environment variable.

Problems generate synthetic workloads by default and switch to real traces only when a
data directory is given and holds the problem's own sub-folder (for example
``$ADRS_DATA_DIR/spot``). Case ids say which workload was used (``syn-...`` or the trace's
name), so an archive never hides it.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "ADRS_DATA_DIR"


def data_dir() -> Path | None:
    """The data directory named by ``ADRS_DATA_DIR``, or None when it is unset or empty.

    A value that names no directory is an error rather than a silent fallback to
    synthetic data.
    """
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ValueError(f"{ENV}={value}: no such directory")
    return path


def problem_data(subfolder: str) -> Path | None:
    """``$ADRS_DATA_DIR/<subfolder>`` when it exists, else None (use synthetic data)."""
    root = data_dir()
    if root is None:
        return None
    path = root / subfolder
    return path if path.is_dir() else None
