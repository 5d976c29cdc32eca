"""The GPU side of a trial, inside the sandbox: CuPy allocations, launches and CUDA events.

The only module of the kit that needs a GPU (and CuPy). One trial:
  1. uploads fresh inputs and fills the output buffer, with a guard zone on each side,
     with the poison byte;
  2. synchronises the device and evicts the L2 cache by reading a buffer four times its
     size, so that neither the poisoned output nor the inputs start out cached;
  3. records a start event on the default stream, launches the kernel there, records an
     end event and waits for it: the kernel's time is the time between the two events;
  4. copies the output on a separate non-blocking stream at once (what existed when the
     timer stopped), then synchronises the whole device and copies it again (settled);
  5. copies back the inputs and the guard zones;
  6. times the library reference the same way, on the same inputs.
The candidate is device code only: it runs no code on the CPU, so it cannot reach these
timers, the copies or the output channel.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from evaluators.cuda.contract import KernelContract, Launch
from evaluators.cuda.evidence import (
    GUARD_BYTES,
    POISON_BYTE,
    guard_changes,
    poison_count,
    sample_rows,
)
from evaluators.cuda.inputs import digest, generate

MIN_FLUSH_BYTES = 64 * 1024 * 1024
DEFAULT_SHARED_LIMIT = 48 * 1024  # above this a kernel must opt in to more shared memory


class GpuUnavailable(Exception):
    """No GPU (or no CuPy) in this sandbox; the message says which."""


class GpuDevice:
    """Device 0 as this process sees it (``CUDA_VISIBLE_DEVICES`` chooses which)."""

    def __init__(self, cupy: Any) -> None:
        self.cp = cupy
        rt = cupy.cuda.runtime
        self.device_id = rt.getDevice()
        props = rt.getDeviceProperties(self.device_id)
        name = props.get("name", b"")
        self.facts: dict[str, Any] = {
            "name": name.decode(errors="replace") if isinstance(name, bytes) else str(name),
            "compute_capability": int(cupy.cuda.Device(self.device_id).compute_capability),
            "memory_clock_khz": rt.deviceGetAttribute(
                rt.cudaDevAttrMemoryClockRate, self.device_id
            ),
            "bus_width_bits": rt.deviceGetAttribute(
                rt.cudaDevAttrGlobalMemoryBusWidth, self.device_id
            ),
            "l2_bytes": rt.deviceGetAttribute(rt.cudaDevAttrL2CacheSize, self.device_id),
            "driver_version": rt.driverGetVersion(),
            "runtime_version": rt.runtimeGetVersion(),
        }
        flush = max(4 * int(self.facts["l2_bytes"]), MIN_FLUSH_BYTES)
        self._flush_buffer = cupy.ones(flush, dtype=cupy.uint8)
        self._side = cupy.cuda.Stream(non_blocking=True)
        self._null = cupy.cuda.Stream.null
        self._shared_opt_in: dict[int, int] = {}

    @staticmethod
    def preload() -> None:
        """Import CuPy and the parts of it a trial uses, if it is installed."""
        try:
            import cupy
            import cupy.cuda.compiler  # noqa: F401 - the library reference JIT-compiles
        except ImportError:
            return  # reported by open()

    @classmethod
    def open(cls) -> GpuDevice:
        try:
            import cupy
        except ImportError as exc:  # the sandbox's Python lacks the 'cuda' extra
            raise GpuUnavailable(
                f"CuPy is not installed ({exc}): pip install 'adrs[cuda]'"
            ) from exc
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as exc:  # CUDARuntimeError: no driver, no device
            raise GpuUnavailable(f"no usable CUDA device: {exc}") from exc
        if count < 1:
            raise GpuUnavailable("no CUDA device visible")
        return cls(cupy)

    @property
    def compute_capability(self) -> int:
        return int(self.facts["compute_capability"])

    def load(self, binary: bytes, kind: str, entry: str) -> Any:
        """Load a compiled module (``kind`` is ``cubin`` or ``ptx``) and return its kernel."""
        folder = tempfile.mkdtemp(prefix="kernel-")
        path = os.path.join(folder, f"candidate.{kind}")
        with open(path, "wb") as fh:
            fh.write(binary)
        module = self.cp.RawModule(path=path)
        return module.get_function(entry)

    def synchronize(self) -> None:
        self.cp.cuda.Device(self.device_id).synchronize()

    def _evict_l2(self) -> None:
        # A read-only pass: the cache ends up holding clean lines of this buffer only.
        self._flush_buffer.sum(dtype=self.cp.uint64)

    def _launch(self, kernel: Any, launch: Launch, args: tuple[Any, ...]) -> None:
        shared = launch.shared_bytes
        if shared > DEFAULT_SHARED_LIMIT and self._shared_opt_in.get(id(kernel), 0) < shared:
            kernel.max_dynamic_shared_size_bytes = shared
            self._shared_opt_in[id(kernel)] = shared
        kernel(launch.grid, launch.block, args, shared_mem=shared, stream=self._null)

    def _timed(self, work: Any) -> float:
        """Milliseconds between events around ``work()`` on the default stream, L2 cold."""
        cp = self.cp
        self.synchronize()
        self._evict_l2()
        start, end = cp.cuda.Event(), cp.cuda.Event()
        start.record(self._null)
        work()
        end.record(self._null)
        end.synchronize()
        return float(cp.cuda.get_elapsed_time(start, end))

    def _arguments(
        self, contract: KernelContract, dims: Mapping[str, int], inputs: list[Any], out: Any
    ) -> tuple[Any, ...]:
        scalars = [
            np.int32(v) if kind == "int" else np.float32(v)
            for kind, v in contract.scalar_values(dims)
        ]
        return (*inputs, out, *scalars)

    def warm_up(
        self,
        kernel: Any,
        contract: KernelContract,
        dims: Mapping[str, int],
        launch: Launch,
        rounds: int,
    ) -> None:
        """Untimed runs of the kernel and the library (module load, library JIT, clocks)."""
        cp = self.cp
        host = generate(contract, dims, seed=0)
        named = {k: cp.asarray(v) for k, v in host.items()}
        out = cp.empty(contract.output.shape(dims), dtype=contract.output.dtype)
        args = self._arguments(contract, dims, list(named.values()), out)
        for _ in range(rounds):
            self._launch(kernel, launch, args)
            contract.library(cp, **named)
        self.synchronize()

    def trial(
        self,
        kernel: Any,
        contract: KernelContract,
        dims: Mapping[str, int],
        launch: Launch,
        seed: int,
        check_rows: int,
    ) -> dict[str, Any]:
        """Run one trial (see the module docstring) and return its raw record."""
        cp = self.cp
        host_inputs = generate(contract, dims, seed)
        named = {k: cp.asarray(v) for k, v in host_inputs.items()}
        inputs = list(named.values())
        shape = contract.output.shape(dims)
        nbytes = contract.output.nbytes(dims)
        buffer = cp.empty(2 * GUARD_BYTES + nbytes, dtype=cp.uint8)
        buffer.fill(POISON_BYTE)
        out = cp.ndarray(shape, dtype=contract.output.dtype, memptr=buffer.data + GUARD_BYTES)
        args = self._arguments(contract, dims, inputs, out)

        kernel_ms = self._timed(lambda: self._launch(kernel, launch, args))
        with self._side:
            at_stop = out.copy()
        self._side.synchronize()
        self.synchronize()
        settled = out.copy()
        guards = cp.concatenate([buffer[:GUARD_BYTES], buffer[GUARD_BYTES + nbytes :]])
        host_out = cp.asnumpy(at_stop)
        record = {
            "seed": seed,
            "dims": dict(dims),
            "kernel_ms": kernel_ms,
            "output_digest": digest([host_out]),
            "settled_digest": digest([cp.asnumpy(settled)]),
            "input_digest": digest([cp.asnumpy(a) for a in inputs]),
            "poisoned": poison_count(host_out),
            "guard_changed": guard_changes(cp.asnumpy(guards)),
        }
        rows = sample_rows(shape[0], check_rows)
        record["rows"] = rows
        record["values"] = host_out[rows]
        record["reference_ms"] = self._timed(lambda: contract.library(cp, **named))
        return record
