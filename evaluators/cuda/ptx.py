"""Reading what a compiled kernel exports from its PTX: entry points and integer constants.

The harness reads a candidate's launch knobs (``extern "C" __constant__ int NAME = v;``)
from the PTX NVRTC emits, so the same code reads them on a machine without a GPU
(``adrs problems check``) and inside the sandbox before the GPU is touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ENTRY = re.compile(r"\.entry\s+([A-Za-z_$][\w$]*)\s*\((.*?)\)", re.DOTALL)
_PARAM = re.compile(r"\.param\s+(?:\.align\s+\d+\s+)?\.(\w+)\s+[\w$]+(\[\d+\])?")
_CONST = re.compile(
    r"^\s*(?:\.visible\s+)?\.const\s+(?:\.align\s+\d+\s+)?\.([usb]32|[usb]64)\s+"
    r"([A-Za-z_$][\w$]*)\s*(?:=\s*(-?\d+))?\s*;",
    re.MULTILINE,
)


@dataclass(frozen=True)
class PtxInfo:
    """Entry points (name to parameter types, e.g. ``["u64", "u32"]``) and int constants."""

    entries: dict[str, list[str]]
    constants: dict[str, int | None]  # None: declared without an initial value


def _signed(kind: str, value: int) -> int:
    bits = int(kind[1:])
    if kind[0] != "s" and value >= 1 << (bits - 1):
        value -= 1 << bits  # an ``int`` written as .u32/.b32 keeps its sign
    return value


def read_ptx(text: str) -> PtxInfo:
    entries: dict[str, list[str]] = {}
    for m in _ENTRY.finditer(text):
        params = []
        for p in _PARAM.finditer(m.group(2)):
            params.append(p.group(1) + (p.group(2) or ""))
        entries[m.group(1)] = params
    constants: dict[str, int | None] = {}
    for m in _CONST.finditer(text):
        kind, name, value = m.group(1), m.group(2), m.group(3)
        constants[name] = None if value is None else _signed(kind, int(value))
    return PtxInfo(entries=entries, constants=constants)
