"""Prefix hit rates: the definition, its row-order invariance, and the upper bound."""

import random

import pytest

from evaluators.prefix_reuse import metrics
from evaluators.prefix_reuse.tables import generate


def random_table(rng: random.Random, rows: int, columns: int) -> list[list[str]]:
    # Few short values, so that rows share fields, and values that prefix each other.
    pools = [
        [rng.choice(["a", "ab", "abc", "b", "ba"]) + str(k % 3) for k in range(4)]
        for _ in range(columns)
    ]
    return [[rng.choice(pool) for pool in pools] for _ in range(rows)]


def test_lcp() -> None:
    assert metrics.lcp("abcd", "abxd") == 2
    assert metrics.lcp("abc", "abc") == 3
    assert metrics.lcp("ab", "abc") == 2
    assert metrics.lcp("", "a") == 0 and metrics.lcp("x", "y") == 0


def test_in_order_hits_are_the_best_prefix_against_any_earlier_prompt() -> None:
    rng = random.Random(1)
    prompts = ["".join(rng.choice("ab") for _ in range(rng.randint(0, 6))) for _ in range(60)]
    expected = [
        max((metrics.lcp(p, q) for q in prompts[:i]), default=0) for i, p in enumerate(prompts)
    ]
    assert metrics.hits_in_order(prompts) == expected


def test_total_hits_do_not_depend_on_the_row_order() -> None:
    rng = random.Random(2)
    for _ in range(20):
        table = random_table(rng, 30, 3)
        prompts = [metrics.render(row, [2, 0, 1]) for row in table]
        total = metrics.hits_sorted(prompts)
        for _ in range(5):
            rng.shuffle(prompts)
            assert sum(metrics.hits_in_order(prompts)) == total


def test_separators_keep_matches_from_crossing_field_boundaries() -> None:
    left, right = metrics.render(["ab", "c"], [0, 1]), metrics.render(["a", "bc"], [0, 1])
    assert metrics.lcp(left, right) == 1
    assert (
        metrics.lcp(
            metrics.render(["ab", "c"], [0, 1], ""), metrics.render(["a", "bc"], [0, 1], "")
        )
        == 3
    )


def test_adjacent_hits_see_only_the_previous_row() -> None:
    prompts = ["ax\n", "b\n", "ax\n"]
    assert metrics.hit_rate(prompts) == pytest.approx(3 / 8)
    assert metrics.adjacent_hit_rate(prompts) == 0.0


def test_valid_orders_keep_groups_together_and_in_order() -> None:
    orders = metrics.valid_orders(4, [[2, 0]])
    assert len(orders) == 6
    for order in orders:
        at = order.index(2)
        assert order[at + 1] == 0


def test_the_bound_is_at_least_the_exact_optimum_of_tiny_tables() -> None:
    rng = random.Random(3)
    for trial in range(12):
        table = random_table(rng, 5, 3)
        groups = [[1, 2]] if trial % 3 == 0 else []
        best, orders = metrics.best_orders(table, groups)
        bound = metrics.upper_bound(table)
        assert best <= bound + 1e-12
        assert best == pytest.approx(
            metrics.hit_rate([metrics.render(r, o) for r, o in zip(table, orders, strict=True)])
        )
        identity = metrics.hit_rate([metrics.render(r, range(3)) for r in table])
        assert identity <= best + 1e-12


def test_the_bound_holds_for_any_field_orders_of_a_generated_table() -> None:
    table = generate("reviews", "bound-test", 300)
    bound = metrics.upper_bound(table.rows)
    rng = random.Random(4)
    columns = list(range(len(table.columns)))
    by_worth = sorted(columns, key=lambda c: len({r[c] for r in table.rows}))
    for _ in range(3):
        orders = [rng.sample(columns, len(columns)) for _ in table.rows]
        rate = metrics.hit_rate(
            [metrics.render(r, o) for r, o in zip(table.rows, orders, strict=True)]
        )
        assert rate <= bound
    assert metrics.hit_rate([metrics.render(r, by_worth) for r in table.rows]) <= bound < 1


def test_a_table_whose_values_share_no_first_character_can_hit_nothing() -> None:
    table = [[chr(97 + 2 * r) + "x", chr(98 + 2 * r) + "y"] for r in range(10)]
    assert metrics.upper_bound(table) == 0.0
    assert metrics.upper_bound([]) == 0.0


def test_the_stored_order_moves_each_group_to_its_first_member() -> None:
    assert metrics.stored_order(9, [[8, 6]]) == [0, 1, 2, 3, 4, 5, 8, 6, 7]
    assert metrics.stored_order(4, [[3, 0], [2, 1]]) == [3, 0, 2, 1]
    assert metrics.stored_order(3, []) == [0, 1, 2]
