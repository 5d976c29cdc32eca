"""Contract of the matmul kernel: c = a @ b in float16 with float32 accumulation.

``a`` is (m, k), ``b`` is (k, n), ``c`` is (m, n), all row-major.
"""

from collections.abc import Mapping

from evaluators.cuda.contract import KernelContract, Knob, Launch, Scalar, Tensor, ceil_div


def launch(dims: Mapping[str, int], knobs: Mapping[str, int]) -> Launch:
    grid = (ceil_div(dims["n"], knobs["TILE_N"]), ceil_div(dims["m"], knobs["TILE_M"]), 1)
    block = (knobs["BLOCK_X"], knobs["BLOCK_Y"], 1)
    return Launch(grid=grid, block=block, shared_bytes=knobs["SHARED_BYTES"])


def library(xp, a, b):
    """cuBLAS through CuPy on the GPU (the timed baseline); float64 NumPy on the host."""
    return xp.matmul(a, b)


KERNEL = KernelContract(
    entry="matmul",
    inputs=(
        Tensor("a", "float16", ("m", "k"), low=-1.0, high=1.0),
        Tensor("b", "float16", ("k", "n"), low=-1.0, high=1.0),
    ),
    output=Tensor("c", "float16", ("m", "n")),
    scalars=(Scalar("m", "int", "m"), Scalar("n", "int", "n"), Scalar("k", "int", "k")),
    knobs=(
        Knob("TILE_M", 1, 512),
        Knob("TILE_N", 1, 512),
        Knob("BLOCK_X", 1, 1024),
        Knob("BLOCK_Y", 1, 1024),
        Knob("SHARED_BYTES", 0, 227 * 1024),
    ),
    launch=launch,
    library=library,
)
