"""Contract of the layer-norm kernel: y = (x - mean) / sqrt(var + eps) * weight + bias.

Statistics are over each row of ``x``; ``x``, ``weight``, ``bias`` and ``y`` are float16.
"""

from collections.abc import Mapping

from evaluators.cuda.contract import KernelContract, Knob, Launch, Scalar, Tensor, ceil_div

EPS = 1e-5


def launch(dims: Mapping[str, int], knobs: Mapping[str, int]) -> Launch:
    blocks = ceil_div(dims["rows"], knobs["ROWS_PER_BLOCK"])
    return Launch(grid=(blocks, 1, 1), block=(knobs["THREADS"], 1, 1))


def library(xp, x, weight, bias):
    """CuPy on the GPU in float32 arithmetic, float16 out (the timed baseline); float64
    NumPy on the host (the reference)."""
    work = xp.promote_types(x.dtype, xp.float32)
    v = x.astype(work)
    mean = v.mean(axis=1, keepdims=True)
    centred = v - mean
    var = (centred * centred).mean(axis=1, keepdims=True)
    y = centred / xp.sqrt(var + EPS) * weight.astype(work) + bias.astype(work)
    return y.astype(x.dtype)


KERNEL = KernelContract(
    entry="layernorm",
    inputs=(
        # Rows with a mean far from zero: one-pass variance formulas lose precision here.
        Tensor("x", "float16", ("rows", "cols"), low=-2.0, high=6.0),
        Tensor("weight", "float16", ("cols",), low=0.5, high=1.5),
        Tensor("bias", "float16", ("cols",), low=-0.5, high=0.5),
    ),
    output=Tensor("y", "float16", ("rows", "cols")),
    scalars=(
        Scalar("rows", "int", "rows"),
        Scalar("cols", "int", "cols"),
        Scalar("eps", "float", EPS),
    ),
    knobs=(Knob("THREADS", 32, 1024), Knob("ROWS_PER_BLOCK", 1, 64)),
    launch=launch,
    library=library,
)
