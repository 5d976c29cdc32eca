import numpy as np
import pytest

from evaluators import wire


def test_round_trip_keeps_arrays_exact() -> None:
    data = {
        "w": np.arange(12, dtype=np.float32).reshape(3, 4),
        "n": np.int64(7),
        "nested": [1, 2.5, None, True, "s", (3, 4)],
        5: "int key",
    }
    out = wire.decode(wire.encode(data))
    assert out["w"].dtype == np.float32 and np.array_equal(out["w"], data["w"])
    assert out["n"] == 7 and out["nested"] == [1, 2.5, None, True, "s", [3, 4]]
    assert out["5"] == "int key"


@pytest.mark.parametrize(
    "doc",
    [
        '{"__ndarray__": {"dtype": "object", "shape": [1], "b64": "AA=="}}',
        '{"__ndarray__": {"dtype": "float64", "shape": [2], "b64": "AAAAAAAAAAA="}}',
        '{"__ndarray__": {"dtype": "int8", "shape": [-1], "b64": ""}}',
        '{"__ndarray__": {"dtype": "int8", "shape": [1], "b64": "!!"}}',
        '{"__ndarray__": {"dtype": "int8", "shape": [1], "b64": "AA=="}, "x": 1}',
        "[" * 100000,
        "not json",
    ],
)
def test_hostile_documents_raise_wire_error(doc: str) -> None:
    with pytest.raises(wire.WireError):
        wire.decode(doc)


def test_unsendable_values_are_refused() -> None:
    with pytest.raises(wire.WireError, match="cannot be sent"):
        wire.encode({"f": lambda: 1})
    with pytest.raises(wire.WireError, match="not allowed"):
        wire.encode(np.array(["a"], dtype=object))
