"""JSON wire format between host and sandbox, with NumPy arrays as typed base64 blobs.

Both directions use it: the host writes case inputs, the harness writes outputs. The host
decodes candidate output with :func:`decode`, which refuses anything but plain data (no
pickle ever crosses the boundary), unknown dtypes and inconsistent array headers.
"""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

ARRAY_KEY = "__ndarray__"
ALLOWED_DTYPES = frozenset(
    {
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
    }
)
MAX_ARRAY_DIMS = 8


class WireError(ValueError):
    """Raised when data cannot be encoded or a received document is not valid wire data."""


def _numpy() -> Any:
    """NumPy, imported on first use: a pure-Python problem's sandbox never pays for it."""
    import numpy

    return numpy


def _to_plain(obj: Any, depth: int = 0) -> Any:
    if depth > 64:
        raise WireError("value nested deeper than 64 levels")
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    # Only a program that already imported NumPy can hand us NumPy objects.
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(obj, np.ndarray):
            dtype = str(obj.dtype)
            if dtype not in ALLOWED_DTYPES:
                raise WireError(f"array dtype {dtype} is not allowed on the wire")
            data = np.ascontiguousarray(obj).astype(obj.dtype.newbyteorder("<"), copy=False)
            return {
                ARRAY_KEY: {
                    "dtype": dtype,
                    "shape": list(obj.shape),
                    "b64": base64.b64encode(data.tobytes()).decode("ascii"),
                }
            }
        if isinstance(obj, np.generic):
            return _to_plain(obj.item(), depth + 1)
    if isinstance(obj, (list, tuple)):
        return [_to_plain(v, depth + 1) for v in obj]
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            integer = isinstance(k, int) or (np is not None and isinstance(k, np.integer))
            if integer and not isinstance(k, bool):
                k = str(int(k))
            if not isinstance(k, str):
                raise WireError(f"dict key of type {type(k).__name__} is not allowed")
            if k == ARRAY_KEY:
                raise WireError(f"dict key {ARRAY_KEY!r} is reserved")
            out[k] = _to_plain(v, depth + 1)
        return out
    raise WireError(f"value of type {type(obj).__name__} cannot be sent")


def encode(obj: Any) -> str:
    """Encode plain data (and NumPy arrays) as one line of JSON."""
    return json.dumps(_to_plain(obj), separators=(",", ":"), allow_nan=True)


def _decode_array(spec: Any) -> Any:
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "b64"}:
        raise WireError("malformed array header")
    dtype, shape, b64 = spec["dtype"], spec["shape"], spec["b64"]
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"array dtype {dtype!r} is not allowed")
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_ARRAY_DIMS
        or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
    ):
        raise WireError("malformed array shape")
    if not isinstance(b64, str):
        raise WireError("malformed array data")
    try:
        np = _numpy()
    except ImportError as exc:
        raise WireError("arrays need NumPy") from exc
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError as exc:
        raise WireError("array data is not base64") from exc
    dt = np.dtype(dtype).newbyteorder("<")
    count = 1
    for d in shape:
        count *= d
    if count * dt.itemsize != len(raw):
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dt).astype(np.dtype(dtype), copy=True).reshape(shape)


def _hook(obj: dict[str, Any]) -> Any:
    if ARRAY_KEY in obj:
        if len(obj) != 1:
            raise WireError("array object has extra keys")
        return _decode_array(obj[ARRAY_KEY])
    return obj


def decode(text: str | bytes) -> Any:
    """Decode one wire document; raises :class:`WireError` for anything malformed."""
    try:
        return json.loads(text, object_hook=_hook)
    except WireError:
        raise
    except RecursionError as exc:
        raise WireError("document nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError(f"not valid JSON: {exc}") from exc
