"""The workload generators produce the study's three shapes, seeded and reproducible."""

import json
import random
from pathlib import Path

import pytest

from evaluators.txn import makespan as txn
from evaluators.txn import workloads


def test_generators_are_deterministic_per_seed() -> None:
    for family in workloads.FAMILIES:
        assert workloads.synthetic(family, "a") == workloads.synthetic(family, "a")
        assert workloads.synthetic(family, "a") != workloads.synthetic(family, "b")


def test_hot_family_has_long_transactions_sharing_hot_keys() -> None:
    ops = workloads.synthetic("hot", "shape")
    lengths = {len(t) for t in ops}
    assert len(lengths) == 1 and 12 <= lengths.pop() <= 20
    assert sum("1" in {tok[2:] for tok in t} for t in ops) > 90  # key 1 is in nearly all
    assert all(tok != "*" for t in ops for tok in t)


def test_rmw_family_pads_its_first_transactions_with_no_ops() -> None:
    ops = workloads.synthetic("rmw", "shape")
    assert ops[0][3:] == ["*"] * (len(ops[0]) - 3)
    assert len(ops[-1]) == 5 and ops[-1][0][2:] == ops[-1][1][2:]


def test_few_keys_family_reads_one_half_and_writes_the_other() -> None:
    ops = workloads.synthetic("few_keys", "shape")
    first, last = ops[0], ops[-1]
    assert first[0].startswith("r-") and last[-1].startswith("w-")
    assert int(first[0][2:]) < int(first[-1][2:]) and int(last[0][2:]) > int(last[-1][2:])


def test_relabelled_workload_has_the_same_makespans() -> None:
    original = workloads.synthetic("hot", "relabel")
    copy, origin = workloads.relabel(original, random.Random(1))
    assert copy != original
    ops, copied = txn.parse_workload(original), txn.parse_workload(copy)
    rng = random.Random(2)
    for _ in range(5):
        order = list(range(len(copy)))
        rng.shuffle(order)
        assert txn.makespan(copied, order) == txn.makespan(ops, [origin[i] for i in order])


def test_real_workloads_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "workloads.json"
    path.write_text(json.dumps({"W": {"txn0": "r-1", "txn2": "w-1"}}))
    with pytest.raises(ValueError, match=r"workloads.json: workload 'W' has no transaction 'txn1'"):
        workloads.load_real(path)
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="expected an object of workloads"):
        workloads.load_real(path)
