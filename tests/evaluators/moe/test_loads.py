"""Expert load histories: the seeded generator and the load_history file format."""

import json
from pathlib import Path

import numpy as np
import pytest

from evaluators.moe import loads


def test_history_has_the_requested_shape_and_is_seeded() -> None:
    a = loads.synthetic_history(np.random.default_rng(1), 3, layers=4, experts=16, groups=4)
    b = loads.synthetic_history(np.random.default_rng(1), 3, layers=4, experts=16, groups=4)
    assert a.shape == (3, 4, 16) and np.array_equal(a, b)
    assert (a >= 0).all() and a.sum() > 0


def test_popularity_is_skewed_and_drifts_between_windows() -> None:
    h = loads.synthetic_history(np.random.default_rng(2), 2)
    top = h[0].max(axis=1) / h[0].mean(axis=1)
    assert (top > 3).all()  # the hottest expert of each layer is well above the mean
    assert not np.array_equal(np.argmax(h[0], axis=1), np.argmax(h[1], axis=1))


def test_load_history_file_is_read_with_its_topology(tmp_path: Path) -> None:
    path = tmp_path / "load_history.json"
    windows = np.arange(2 * 3 * 8, dtype=float).reshape(2, 3, 8).tolist()
    spec = {"windows": windows, "num_replicas": 12, "num_groups": 4, "num_nodes": 2, "num_gpus": 4}
    path.write_text(json.dumps(spec))
    history, topology = loads.load_history(path)
    assert history.shape == (2, 3, 8) and topology["num_replicas"] == 12


def test_per_step_records_are_summed_into_windows(tmp_path: Path) -> None:
    path = tmp_path / "expert-load.json"
    records = [{"logical_expert_load": [[float(i), 1.0]]} for i in range(5)]
    path.write_text(json.dumps({"load_history": records, "records_per_window": 2}))
    with pytest.raises(ValueError, match="experts % num_groups == 0"):
        loads.load_history(path)  # two experts cannot form the default topology's 8 groups
    path.write_text(
        json.dumps(
            {
                "load_history": records,
                "records_per_window": 2,
                "num_replicas": 4,
                "num_groups": 2,
                "num_nodes": 1,
                "num_gpus": 2,
            }
        )
    )
    history, _ = loads.load_history(path)
    assert history[:, 0, :].tolist() == [[1.0, 2.0], [5.0, 2.0], [4.0, 1.0]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"windows": [[1.0, 2.0]]}, "have shape"),
        ({"load_history": [{"logical_expert_load": [1.0]}]}, "records have shape"),
        ({"load_history": [{"load": [[1.0]]}]}, "windows .or records."),
        ({"windows": [[[1.0, -2.0]]]}, "finite and non-negative"),
        ({"windows": [[[1.0, 2.0]]], "num_gpus": 0}, "'num_gpus' must be a positive integer"),
        ({"windows": [[[1.0] * 8]], "num_replicas": 6}, "num_replicas 6 < 8 experts"),
        ({"layers": []}, "expected an object with 'windows' or 'load_history'"),
    ],
)
def test_malformed_load_history_is_rejected_with_the_file_name(
    tmp_path: Path, content: dict, message: str
) -> None:
    path = tmp_path / "load_history.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=message) as info:
        loads.load_history(path)
    assert "load_history.json" in str(info.value)
