"""Reading the Mooncake request traces (FAST'25 release) from a data directory.

Each line is a JSON object: ``timestamp`` (ms), ``input_length`` and ``output_length``
(tokens) and ``hash_ids`` (one id per 512-token block of the prompt).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evaluators.kvcache.trace import TraceError

TRACES = {
    "conversation": "mooncake/conversation_trace.jsonl",
    "synthetic": "mooncake/synthetic_trace.jsonl",
}


def trace_path(data_dir: str | Path, name: str) -> Path:
    """Where trace ``name`` lives under ``data_dir``; a clear error when it is missing."""
    if name not in TRACES:
        raise TraceError(f"unknown Mooncake trace {name!r} (known: {', '.join(TRACES)})")
    path = Path(data_dir) / TRACES[name]
    if not path.is_file():
        raise TraceError(f"{path}: Mooncake trace not found (is the data directory right?)")
    return path


def load(data_dir: str | Path, name: str) -> list[dict[str, Any]]:
    """All requests of one trace, in file order (which is time order)."""
    path = trace_path(data_dir, name)
    out: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise TraceError(f"{path}:{number}: not valid JSON ({exc})") from None
            if not isinstance(row, dict) or not isinstance(row.get("hash_ids"), list):
                raise TraceError(f"{path}:{number}: expected an object with 'hash_ids'")
            out.append(row)
    return out
