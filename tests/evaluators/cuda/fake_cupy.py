"""A stand-in for CuPy, backed by NumPy on the CPU, for running the harness's GPU code.

``evaluators/cuda/device.py`` is the only part of the CUDA kit that needs a GPU. This
module gives it just enough of CuPy's surface (arrays with device pointers, streams,
events, device properties, ``RawModule``) to run a real trial on the CPU: the poisoned
buffer and its guard zones, the copies at the timer's stop and after the device settles,
the input digests, the sampled rows and the library timing are all the real code's.

The "kernel" is a Python function given the launch's arguments, as a GPU kernel would be:
the input arrays, the output array (a view into the poisoned buffer) and the scalars. A
cheating kernel can write its inputs, leave output unwritten, write beside its output
(``FakeKernel.buffer_of``) or defer work until the device is next synchronised
(``FakeCupy.defer``), which is what work on a stream the timer does not see looks like.
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable
from typing import Any

import numpy as np

# An H100 SXM as CuPy reports it: 2619 MHz HBM3 on a 5120-bit bus, 50 MiB of L2.
H100 = {"memory_clock_khz": 2_619_000, "bus_width_bits": 5120, "l2_bytes": 50 * 1024 * 1024}


class MemPtr:
    """A device pointer: an allocation and a byte offset into it (``arr.data + n``)."""

    def __init__(self, owner: DeviceArray, offset: int = 0) -> None:
        self.owner = owner
        self.offset = offset

    def __add__(self, nbytes: int) -> MemPtr:
        return MemPtr(self.owner, self.offset + int(nbytes))


class DeviceArray(np.ndarray):
    """A NumPy array whose ``data`` is a :class:`MemPtr`, as a CuPy array's is."""

    @property  # type: ignore[override]
    def data(self) -> MemPtr:
        return MemPtr(self)


class Stream:
    def __init__(self, non_blocking: bool = False) -> None:
        self.non_blocking = non_blocking

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def synchronize(self) -> None:
        return None


Stream.null = Stream()  # type: ignore[attr-defined]


class Event:
    def __init__(self) -> None:
        self.at = 0.0

    def record(self, stream: Stream | None = None) -> None:
        self.at = time.perf_counter()

    def synchronize(self) -> None:
        return None


class FakeKernel:
    """A launched function: ``body(*args)`` runs at launch; launches are recorded."""

    def __init__(self, body: Callable[..., None]) -> None:
        self.body = body
        self.launches: list[dict[str, Any]] = []
        self.max_dynamic_shared_size_bytes = 48 * 1024

    def __call__(
        self, grid: Any, block: Any, args: tuple[Any, ...], shared_mem: int = 0, stream: Any = None
    ) -> None:
        self.launches.append({"grid": tuple(grid), "block": tuple(block), "shared": shared_mem})
        self.body(*args)

    @staticmethod
    def buffer_of(out: np.ndarray) -> np.ndarray:
        """The whole allocation ``out`` lies in (its guard zones included), as bytes."""
        return np.asarray(out.base).view(np.uint8)


class FakeCupy(types.ModuleType):
    """The ``cupy`` module: NumPy's functions, device arrays, and the ``cuda`` namespace."""

    def __init__(
        self, kernel: FakeKernel, facts: dict[str, int] | None = None, cc: int = 90
    ) -> None:
        super().__init__("cupy")
        self.kernel = kernel
        self.pending: list[Callable[[], None]] = []
        self.synchronized = 0
        facts = dict(H100, **(facts or {}))
        attrs = {1: facts["memory_clock_khz"], 2: facts["bus_width_bits"], 3: facts["l2_bytes"]}
        fake = self

        class Device:
            def __init__(self, index: int = 0) -> None:
                self.compute_capability = str(cc)

            def synchronize(self) -> None:
                fake.synchronize()

        class RawModule:
            def __init__(self, path: str) -> None:
                with open(path, "rb") as fh:
                    self.image = fh.read()

            def get_function(self, name: str) -> FakeKernel:
                return fake.kernel

        runtime = types.SimpleNamespace(
            cudaDevAttrMemoryClockRate=1,
            cudaDevAttrGlobalMemoryBusWidth=2,
            cudaDevAttrL2CacheSize=3,
            getDevice=lambda: 0,
            getDeviceCount=lambda: 1,
            getDeviceProperties=lambda index: {"name": b"fake H100 (NumPy)"},
            deviceGetAttribute=lambda attr, index: attrs[attr],
            driverGetVersion=lambda: 12040,
            runtimeGetVersion=lambda: 12040,
        )
        self.cuda = types.SimpleNamespace(
            runtime=runtime,
            Device=Device,
            Stream=Stream,
            Event=Event,
            get_elapsed_time=lambda a, b: (b.at - a.at) * 1e3,
        )
        self.RawModule = RawModule

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)  # exp, float32, uint8, uint64, concatenate, ...

    def defer(self, work: Callable[[], None]) -> None:
        """Run ``work`` when the device is next synchronised: work on another stream."""
        self.pending.append(work)

    def synchronize(self) -> None:
        self.synchronized += 1
        while self.pending:
            self.pending.pop(0)()

    # -- arrays ---------------------------------------------------------------------------

    def empty(self, shape: Any, dtype: Any = np.float32) -> DeviceArray:
        return np.empty(shape, dtype=dtype).view(DeviceArray)

    def ones(self, shape: Any, dtype: Any = np.float32) -> DeviceArray:
        return np.ones(shape, dtype=dtype).view(DeviceArray)

    def asarray(self, values: Any) -> DeviceArray:
        return np.array(values, copy=True).view(DeviceArray)

    def asnumpy(self, values: Any) -> np.ndarray:
        return np.array(values, copy=True).view(np.ndarray)

    def ndarray(self, shape: Any, dtype: Any, memptr: MemPtr) -> np.ndarray:
        return np.ndarray(
            shape, dtype=dtype, buffer=memptr.owner.view(np.ndarray), offset=memptr.offset
        )
