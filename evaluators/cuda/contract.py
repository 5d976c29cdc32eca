"""A kernel problem's contract: the fixed signature, the launch knobs, the library reference.

Each CUDA problem folder has a ``kernel.py`` that defines ``KERNEL = KernelContract(...)``.
Both sides read it: the sandbox's harness (to generate inputs, launch the kernel and time
the library) and the host's verifier (to regenerate inputs and compute the reference).

The kernel's parameters are, in order: one pointer per input tensor, the output pointer,
then the scalars. Launch knobs are ``extern "C" __constant__ int`` values the candidate
defines (tile sizes, threads per block); ``launch(dims, knobs)`` turns them and the trial's
dimensions into the grid, the block and the dynamic shared memory.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from evaluators.cuda.ptx import PtxInfo

DTYPES = {"float32": ("float", 4), "float16": ("__half", 2)}
MAX_THREADS_PER_BLOCK = 1024
MAX_GRID = (2**31 - 1, 65535, 65535)
MAX_SHARED_BYTES = 227 * 1024  # the largest opt-in shared memory per block (sm_90)


class ContractError(Exception):
    """A kernel does not meet its problem's contract; the message says how."""


@dataclass(frozen=True)
class Tensor:
    """A kernel argument array: its dtype, its dimension names and the range of its values."""

    name: str
    dtype: str
    dims: tuple[str, ...]
    low: float = -1.0
    high: float = 1.0

    def shape(self, dims: Mapping[str, int]) -> tuple[int, ...]:
        return tuple(int(dims[d]) for d in self.dims)

    def nbytes(self, dims: Mapping[str, int]) -> int:
        return math.prod(self.shape(dims)) * DTYPES[self.dtype][1]


@dataclass(frozen=True)
class Scalar:
    """A by-value argument: an ``int`` dimension (``source`` names it) or a fixed ``float``."""

    name: str
    kind: str  # "int" | "float"
    source: str | float


@dataclass(frozen=True)
class Knob:
    """A launch parameter the candidate defines as ``extern "C" __constant__ int NAME``."""

    name: str
    low: int
    high: int


@dataclass(frozen=True)
class Launch:
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    shared_bytes: int = 0


def ceil_div(a: int, b: int) -> int:
    """``a / b`` rounded up: the number of blocks that cover ``a`` items, ``b`` per block."""
    return -(-a // b)


@dataclass(frozen=True)
class KernelContract:
    """Everything fixed about one kernel problem (see the module docstring)."""

    entry: str
    inputs: tuple[Tensor, ...]
    output: Tensor
    scalars: tuple[Scalar, ...]
    knobs: tuple[Knob, ...]
    launch: Callable[[Mapping[str, int], Mapping[str, int]], Launch]
    # library(xp, **inputs) -> output: CuPy on the GPU (timed as the baseline), NumPy in
    # float64 on the host (the reference the output is checked against).
    library: Callable[..., Any]
    arch: str = "compute_80"  # the virtual architecture for checks without a GPU

    def __post_init__(self) -> None:
        names = [t.name for t in self.inputs] + [self.output.name] + [s.name for s in self.scalars]
        if len(set(names)) != len(names):
            raise ContractError(f"{self.entry}: argument names must be unique")
        for t in (*self.inputs, self.output):
            if t.dtype not in DTYPES:
                raise ContractError(f"{self.entry}: {t.name}: unsupported dtype {t.dtype!r}")
        if len(self.output.dims) != 2:
            raise ContractError(f"{self.entry}: the output must be two-dimensional (rows, cols)")
        for s in self.scalars:
            if s.kind not in ("int", "float"):
                raise ContractError(f"{self.entry}: scalar {s.name}: kind must be int or float")

    @property
    def dim_names(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for t in (*self.inputs, self.output):
            seen.update(dict.fromkeys(t.dims))
        return tuple(seen)

    def row_sliced(self) -> tuple[str, ...]:
        """Inputs indexed by output row: the host slices these to check sampled rows."""
        row = self.output.dims[0]
        return tuple(t.name for t in self.inputs if t.dims and t.dims[0] == row)

    def ptx_signature(self) -> list[str]:
        kinds = ["u64"] * (len(self.inputs) + 1)
        kinds += ["u32" if s.kind == "int" else "f32" for s in self.scalars]
        return kinds

    def c_signature(self) -> str:
        """The fixed signature as C, for prompts and error messages."""
        args = [f"const {DTYPES[t.dtype][0]}* {t.name}" for t in self.inputs]
        args.append(f"{DTYPES[self.output.dtype][0]}* {self.output.name}")
        args += [f"{s.kind} {s.name}" for s in self.scalars]
        return f'extern "C" __global__ void {self.entry}({", ".join(args)})'

    def scalar_values(self, dims: Mapping[str, int]) -> list[tuple[str, int | float]]:
        out: list[tuple[str, int | float]] = []
        for s in self.scalars:
            if s.kind == "int":
                out.append(("int", int(dims[str(s.source)])))
            else:
                out.append(("float", float(s.source)))
        return out

    def check_ptx(self, info: PtxInfo) -> dict[str, int]:
        """The candidate's knob values, after checking its entry point and knobs."""
        params = info.entries.get(self.entry)
        if params is None:
            found = ", ".join(sorted(info.entries)) or "none"
            raise ContractError(
                f"no kernel named {self.entry} (kernels found: {found}); "
                f"define {self.c_signature()}"
            )
        if [p.replace("s32", "u32").replace("b32", "u32") for p in params] != (
            self.ptx_signature()
        ):
            raise ContractError(
                f"kernel {self.entry} has parameters ({', '.join(params) or 'none'}) "
                f"but the contract is {self.c_signature()}"
            )
        knobs: dict[str, int] = {}
        for knob in self.knobs:
            if knob.name not in info.constants:
                raise ContractError(
                    f'launch knob missing: define extern "C" __constant__ int {knob.name} '
                    f"(between {knob.low} and {knob.high})"
                )
            value = info.constants[knob.name] or 0
            if not knob.low <= value <= knob.high:
                raise ContractError(
                    f"launch knob {knob.name} = {value} is outside [{knob.low}, {knob.high}]"
                )
            knobs[knob.name] = value
        return knobs

    def plan_launch(self, dims: Mapping[str, int], knobs: Mapping[str, int]) -> Launch:
        """``launch(dims, knobs)``, checked against the hardware's launch limits."""
        raw = self.launch(dims, knobs)
        grid = tuple(int(g) for g in raw.grid)
        block = tuple(int(b) for b in raw.block)
        if len(grid) != 3 or len(block) != 3:
            raise ContractError("launch geometry must have three grid and three block sizes")
        launch = Launch(grid=grid, block=block, shared_bytes=int(raw.shared_bytes))
        threads = math.prod(block)
        if min(block) < 1 or threads > MAX_THREADS_PER_BLOCK:
            raise ContractError(
                f"block {block} has {threads} threads; a block holds 1 to "
                f"{MAX_THREADS_PER_BLOCK} threads"
            )
        if any(g < 1 or g > m for g, m in zip(grid, MAX_GRID, strict=True)):
            raise ContractError(f"grid {grid} is outside the hardware's limits {MAX_GRID}")
        if not 0 <= launch.shared_bytes <= MAX_SHARED_BYTES:
            raise ContractError(
                f"{launch.shared_bytes} bytes of dynamic shared memory is outside "
                f"[0, {MAX_SHARED_BYTES}]"
            )
        return launch

    def must_read_bytes(self, dims: Mapping[str, int]) -> int:
        """Bytes any correct kernel reads from memory: every input element, once."""
        return sum(t.nbytes(dims) for t in self.inputs)


def load_contract(path: str) -> KernelContract:
    """Import a problem's ``kernel.py`` by path (under a name unique to the path)."""
    unique = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    name = f"adrs_kernel_{unique}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ContractError(f"{path}: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    kernel = getattr(module, "KERNEL", None)
    if not isinstance(kernel, KernelContract):
        raise ContractError(f"{path}: defines no KERNEL = KernelContract(...)")
    return kernel
