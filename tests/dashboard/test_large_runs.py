"""Big runs: what a page reads and returns is bounded by what it shows, and the figures
computed from covering indexes agree with a plain pass over every program."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, select

from adrs.archive.models import Program, Run
from adrs.archive.store import Archive
from adrs.dashboard.app import create_app
from adrs.dashboard.memo import Memo
from adrs.dashboard.pages import run as run_page
from adrs.dashboard.pages.base import Reader
from adrs.dashboard.params import Params
from adrs.dashboard.queries import lineage, scores
from adrs.dashboard.readonly import open_readonly
from tests.dashboard.conftest import BigArchive, fetch, serving


@pytest.fixture(scope="module")
def big(big_archive: BigArchive) -> Iterator[str]:
    with serving(create_app(big_archive.url)) as base:
        yield base


@pytest.fixture
def conn(big_archive: BigArchive) -> Iterator[Connection]:
    archive = open_readonly(big_archive.url)
    with archive.engine.connect() as connection:
        yield connection
    archive.engine.dispose()


def test_the_chart_of_a_big_run_is_buckets_not_points(big: str, big_archive: BigArchive) -> None:
    series = fetch(f"{big}/api/runs/{big_archive.run_id}").json()["series"]
    assert series["mode"] == "buckets"
    assert series["count"] > scores.MAX_POINTS
    assert len(series["buckets"]) <= scores.BUCKETS
    assert sum(b["count"] for b in series["buckets"]) == series["count"]
    assert all(b["min"] <= b["max"] for b in series["buckets"])


def test_new_bests_and_island_figures_agree_with_a_pass_over_every_program(
    conn: Connection, big_archive: BigArchive
) -> None:
    seed_score = conn.execute(select(Run.seed_score)).scalar_one()
    found = scores.summarize(conn, big_archive.run_id, "minimize", seed_score)
    everything = conn.execute(
        select(Program.seq, Program.score, Program.island, Program.id).order_by(Program.seq)
    ).all()
    best, expected, island_best = None, [], {}
    for seq, score, island, pid in everything:
        if score is None:
            continue
        if best is None or score < best:
            best = score
            expected.append((seq, pid))
        island_best[island] = min(score, island_best.get(island, score))
    assert [(i["seq"], i["id"]) for i in found["improvements"]] == expected
    assert {i: v["best"] for i, v in found["islands"].items()} == island_best


def test_lineage_of_a_big_run_is_a_bounded_window_paged_upwards(
    big: str, big_archive: BigArchive, conn: Connection
) -> None:
    data = fetch(f"{big}/api/runs/{big_archive.run_id}/lineage").json()
    assert data["mode"] == "window"
    siblings = lineage.CHILDREN - 1
    most = 1 + lineage.ANCESTORS + siblings + lineage.CHILDREN * (1 + lineage.GRANDCHILDREN)
    assert len(data["nodes"]) <= most
    parent = data["focus"]["parent_id"]
    with_focus = [n for n in data["nodes"] if n["parent_id"] == parent]  # it and its siblings
    everyone = conn.execute(
        select(Program.id).where(Program.parent_id == parent, Program.state != "rejected")
    ).all()
    assert len(with_focus) + data["hidden_children"].get(parent, 0) == len(everyone)
    assert len(data["path"]) == lineage.ANCESTORS + 1  # the best is deep in this run
    top = data["more_ancestors"]
    assert top == data["path"][0]
    higher = fetch(f"{big}/api/runs/{big_archive.run_id}/lineage?focus={top}").json()
    assert higher["focus"]["id"] == top and higher["path"][-1] == top
    assert fetch(f"{big}/runs/{big_archive.run_id}/lineage?focus={top}").status == 200


def test_drawing_a_big_run_whole_is_refused(big: str, big_archive: BigArchive) -> None:
    reply = fetch(f"{big}/api/runs/{big_archive.run_id}/lineage?view=whole")
    assert reply.status == 400
    assert reply.json()["error"].startswith("view=whole: this run has more than")


def test_a_hub_shows_some_children_and_counts_the_rest(
    big: str, big_archive: BigArchive, conn: Connection
) -> None:
    seed = conn.execute(select(Run.seed_program_id)).scalar_one()
    data = fetch(f"{big}/api/runs/{big_archive.run_id}/lineage?focus={seed}&view=window").json()
    children = [n for n in data["nodes"] if n.get("parent_id") == seed]
    assert len(children) == lineage.CHILDREN
    total = len(
        conn.execute(
            select(Program.id).where(Program.parent_id == seed, Program.state != "rejected")
        ).all()
    )
    assert data["hidden_children"][seed] == total - lineage.CHILDREN


@pytest.mark.parametrize(
    "query",
    [
        "SELECT seq, score, island FROM programs WHERE run_id = :r AND score IS NOT NULL "
        "ORDER BY seq",
        "SELECT state, status, count(*) FROM programs WHERE run_id = :r GROUP BY state, status",
        "SELECT island, count(*) FROM programs WHERE run_id = :r GROUP BY island",
        "SELECT model, count(*), sum(cost_usd), sum(tokens_in) FROM llm_calls "
        "WHERE run_id = :r GROUP BY model",
    ],
)
def test_whole_run_figures_read_only_covering_indexes(
    conn: Connection, big_archive: BigArchive, query: str
) -> None:
    plan = conn.exec_driver_sql(
        "EXPLAIN QUERY PLAN " + query.replace(":r", "?"), (big_archive.run_id,)
    ).all()
    details = " | ".join(str(row[-1]) for row in plan)
    assert "COVERING INDEX" in details, details


def test_run_figures_are_kept_until_the_run_records_something(big_archive: BigArchive) -> None:
    archive = open_readonly(big_archive.url)
    memo = Memo()
    with archive.engine.connect() as conn:
        path = {"run_id": big_archive.run_id}
        first = run_page.build(Reader(conn, memo), Params(), path)
        again = run_page.build(Reader(conn, memo), Params(), path)
    assert (memo.misses, memo.hits) == (1, 1)
    assert again["series"] is first["series"]
    writer = Archive(big_archive.url)
    writer.update_run(big_archive.run_id, stop_reason="touched by the test")
    writer.close()
    with archive.engine.connect() as conn:
        run_page.build(Reader(conn, memo), Params(), {"run_id": big_archive.run_id})
    assert memo.misses == 2
    archive.engine.dispose()
