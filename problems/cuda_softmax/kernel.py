"""Contract of the softmax kernel: y[r, :] = softmax(x[r, :]), float32, one launch."""

from collections.abc import Mapping

from evaluators.cuda.contract import KernelContract, Knob, Launch, Scalar, Tensor, ceil_div


def launch(dims: Mapping[str, int], knobs: Mapping[str, int]) -> Launch:
    blocks = ceil_div(dims["rows"], knobs["ROWS_PER_BLOCK"])
    return Launch(grid=(blocks, 1, 1), block=(knobs["THREADS"], 1, 1))


def library(xp, x):
    """CuPy on the GPU (the timed baseline); float64 NumPy on the host (the reference)."""
    shifted = x - x.max(axis=1, keepdims=True)
    e = xp.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


KERNEL = KernelContract(
    entry="softmax",
    inputs=(Tensor("x", "float32", ("rows", "cols"), low=-8.0, high=8.0),),
    output=Tensor("y", "float32", ("rows", "cols")),
    scalars=(Scalar("rows", "int", "rows"), Scalar("cols", "int", "cols")),
    knobs=(Knob("THREADS", 32, 1024), Knob("ROWS_PER_BLOCK", 1, 64)),
    launch=launch,
    library=library,
)
