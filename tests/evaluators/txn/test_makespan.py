"""The transaction simulator applies the stated conflict rules, and schedules are checked."""

import random

import numpy as np
import pytest

from evaluators.txn import makespan as txn
from evaluators.txn import workloads
from evaluators.verdict import InvalidOutput


def parse(*txns: str) -> list[txn.Txn]:
    return txn.parse_workload([t.split() for t in txns])


def test_transactions_on_different_keys_overlap_completely() -> None:
    ops = parse("r-1 w-1 *", "r-2 w-2 *")
    assert txn.makespan(ops, [0, 1]) == 3


def test_write_after_write_on_one_key_comes_strictly_later() -> None:
    ops = parse("w-1 * *", "w-1 * *")
    assert txn.makespan(ops, [0, 1]) == 4  # second starts at step 2


def test_reads_of_one_key_do_not_conflict() -> None:
    ops = parse("r-1 * *", "r-1 * *")
    assert txn.makespan(ops, [0, 1]) == 3


def test_read_must_follow_an_earlier_write_at_its_own_offset() -> None:
    ops = parse("* * w-7", "r-7 *")
    # w-7 runs at step 3, so r-7 (offset 1) must run at step 4 at the earliest.
    assert txn.makespan(ops, [0, 1]) == 5
    # Placed first, the read runs at step 1 and the write at step 3 comes after it anyway.
    assert txn.makespan(ops, [1, 0]) == 3


def test_no_op_steps_touch_nothing() -> None:
    ops = parse("w-1 * * * *", "* w-2")
    assert txn.makespan(ops, [0, 1]) == 5


def test_bad_tokens_are_rejected_with_their_position() -> None:
    with pytest.raises(ValueError, match="transaction 1: bad operation 'x-3'"):
        txn.parse_workload([["r-1"], ["x-3"]])
    with pytest.raises(ValueError, match="transaction 0 has no operations"):
        txn.parse_workload([[]])


def test_bounds_never_exceed_any_schedule() -> None:
    for family in workloads.FAMILIES:
        ops = txn.parse_workload(workloads.synthetic(family, f"bounds:{family}"))
        bound = txn.key_bound(ops)
        assert bound >= txn.longest_transaction(ops)
        rng = random.Random(family)
        for _ in range(20):
            order = list(range(len(ops)))
            rng.shuffle(order)
            assert txn.makespan(ops, order) >= bound


def test_key_bound_is_tight_for_a_chain_of_writes() -> None:
    ops = parse("w-1 *", "w-1 *", "w-1 *")
    assert txn.key_bound(ops) == txn.makespan(ops, [0, 1, 2]) == 4


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ([0, 1], r"schedule has 2 of 3 transactions \(1 missing, first: 2\)"),
        ([0, 1, 1], "transaction 1 appears twice"),
        ([0, 1, 3], r"schedule\[2\] = 3 is not a transaction \(0..2\)"),
        ([0, 1, -1], r"schedule\[2\] = -1 is not a transaction"),
        ([0, 1, "2"], r"schedule\[2\] is '2', not a transaction index"),
        ([0, 1, 2.0], r"schedule\[2\] is 2.0, not a transaction index"),
        ([0, True, 2], r"schedule\[1\] is True"),
        ([0, 1, 2, 0], "transaction 0 appears twice"),
        ({"order": [0, 1, 2]}, "expected a list of 3 transaction indices, got dict"),
        (np.array([[0, 1, 2]]), "one-dimensional"),
        (np.array([0.0, 1.0, 2.0]), "not integers"),
    ],
)
def test_anything_but_a_permutation_of_all_transactions_is_rejected(
    output: object, message: str
) -> None:
    with pytest.raises(InvalidOutput, match=message):
        txn.check_schedule(output, 3)


def test_a_permutation_is_accepted_as_a_list_or_an_integer_array() -> None:
    assert txn.check_schedule([2, 0, 1], 3) == [2, 0, 1]
    assert txn.check_schedule(np.array([2, 0, 1], dtype=np.int32), 3) == [2, 0, 1]
