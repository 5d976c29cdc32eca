"""The pages and their JSON twins, served for real over a real offline run's archive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adrs.archive.store import Archive, ProgramRecord, new_id
from adrs.dashboard import apidoc
from adrs.dashboard.app import PAGES, create_app
from tests.dashboard.conftest import OfflineArchive, fetch, serving


def test_runs_page_lists_the_run_with_its_best_and_seed(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    reply = fetch(f"{dashboard}/")
    assert reply.status == 200
    assert offline_archive.run_id in reply.body
    api = fetch(f"{dashboard}/api/runs").json()
    (run,) = api["runs"]
    assert run["id"] == offline_archive.run_id
    assert run["problem_name"] == "model_placement"
    assert run["status"] == "finished"
    assert run["best_score"] <= run["seed_score"]  # minimised
    assert run["statuses"]["ok"] >= 1
    assert run["evaluations"] == sum(
        n for k, n in run["statuses"].items() if k not in ("rejected", "pending")
    )


def test_runs_can_be_sorted_by_every_listed_column(dashboard: str) -> None:
    for key in ("created", "problem", "status", "best", "gain", "evaluations", "cost", "elapsed"):
        for order in ("asc", "desc"):
            reply = fetch(f"{dashboard}/api/runs?sort={key}&order={order}")
            assert reply.status == 200, (key, order, reply.body)
            assert reply.json()["sort"] == key


def test_run_page_shows_progress_islands_models_and_validation(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    data = fetch(f"{dashboard}/api/runs/{offline_archive.run_id}").json()
    assert data["series"]["mode"] == "points"
    assert data["series"]["count"] == len(data["series"]["points"]) > 1
    assert data["improvements"][0]["seq"] == 0  # the seed is the first best
    scores = [i["score"] for i in data["improvements"]]
    assert scores == sorted(scores, reverse=True)  # each new best is lower (minimised)
    assert {i["island"] for i in data["islands"]} == {0, 1}
    models = {m["model"]: m for m in data["models"]}
    assert models["offline"]["calls"] >= 40
    assert data["top"][0]["score"] == min(p["score"] for p in data["top"])
    validated = {v["program_id"] for v in data["validation"]}
    assert offline_archive.seed_id in validated
    assert all(v["heldout_score"] is not None for v in data["validation"])
    page = fetch(f"{dashboard}/runs/{offline_archive.run_id}").body
    assert '<svg class="chart"' in page
    assert "Held-out validation" in page


def test_program_page_shows_code_diff_metrics_cases_prompt_and_children(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    data = fetch(f"{dashboard}/api/programs/{offline_archive.best_id}").json()
    program = data["program"]
    assert program["id"] == offline_archive.best_id
    (parent,) = [p for p in data["parents"] if p["kind"] == "parent"]
    assert parent["id"] == program["parent_id"]
    assert parent["diff"].startswith(f"--- #{parent['seq']}\n+++ #{program['seq']}\n")
    assert parent["added"] + parent["removed"] > 0
    stages = [e["stage"] for e in data["evaluations"] if e["purpose"] == "search"]
    assert stages == ["quick", "full"]
    full = next(e for e in data["evaluations"] if e["stage"] == "full")
    assert len(full["cases"]) == 50 and "max_kvpr" in full["cases"][0]["metrics"]
    (call,) = data["calls"]
    assert call["model"] == "offline" and "SEARCH" in call["response"]
    html = fetch(f"{dashboard}/programs/{offline_archive.best_id}").body
    assert 'class="diff"' in html and 'class="lines"' in html
    assert "place_models" in html and 'class="cases"' in html


def test_compare_puts_metrics_and_code_side_by_side(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    a, b = offline_archive.seed_id, offline_archive.best_id
    data = fetch(f"{dashboard}/api/compare?a={a}&b={b}").json()
    assert (data["a"]["id"], data["b"]["id"]) == (a, b)
    row = next(m for m in data["metrics"] if m["name"] == "max_kvpr")
    assert row["delta"] == pytest.approx(row["b"] - row["a"])
    assert data["diff"].startswith("--- #0\n")
    html = fetch(f"{dashboard}/compare?p={a}&p={b}").body
    assert 'class="side-diff"' in html


def test_lineage_of_a_small_run_draws_the_whole_tree_with_the_path_to_the_focus(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    data = fetch(f"{dashboard}/api/runs/{offline_archive.run_id}/lineage").json()
    assert data["mode"] == "whole"
    assert data["focus"]["id"] == offline_archive.best_id
    assert data["path"][0] == offline_archive.seed_id
    assert data["path"][-1] == offline_archive.best_id
    by_id = {n["id"]: n for n in data["nodes"]}
    for child, parent in zip(data["path"][1:], data["path"], strict=False):
        assert by_id[child]["parent_id"] == parent
    html = fetch(f"{dashboard}/runs/{offline_archive.run_id}/lineage?colour=island").body
    assert f'href="/programs/{offline_archive.best_id}"' in html


def test_every_page_has_a_json_twin(dashboard: str, offline_archive: OfflineArchive) -> None:
    ids = {"run_id": offline_archive.run_id, "program_id": offline_archive.best_id}
    query = {"compare": f"?a={offline_archive.seed_id}&b={offline_archive.best_id}"}
    for page in PAGES:
        path = page.path.format(**ids) + query.get(page.name, "")
        html = fetch(dashboard + path)
        twin = fetch(dashboard + "/api" + page.api.format(**ids) + query.get(page.name, ""))
        assert html.status == twin.status == 200, (page.name, html.body[:300], twin.body[:300])
        assert html.headers["content-type"].startswith("text/html")
        assert twin.headers["content-type"] == "application/json"
        assert isinstance(twin.json(), dict)


def test_the_api_reference_documents_every_api_route(offline_archive: OfflineArchive) -> None:
    app = create_app(offline_archive.url)
    routes = {r.path for r in app.routes if getattr(r, "path", "").startswith("/api/")}
    assert routes == {e.path for e in apidoc.ENDPOINTS}


def test_ids_may_be_given_as_unique_prefixes(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    run = fetch(f"{dashboard}/api/runs/{offline_archive.run_id[:6]}").json()
    assert run["run"]["id"] == offline_archive.run_id
    program = fetch(f"{dashboard}/api/programs/{offline_archive.best_id[:10]}").json()
    assert program["program"]["id"] == offline_archive.best_id


@pytest.mark.parametrize(
    "path",
    ["/runs/nosuchrun", "/programs/0123456789abcdef", "/runs/nosuchrun/lineage", "/nowhere"],
)
def test_unknown_things_are_404_with_a_one_line_reason(dashboard: str, path: str) -> None:
    html = fetch(dashboard + path)
    assert html.status == 404
    message = re.search(r'<p class="error-message">(.*?)</p>', html.body, re.S)
    assert message and "\n" not in message.group(1).strip()
    if path != "/nowhere":
        twin = fetch(dashboard + "/api" + path)
        assert twin.status == 404
        assert twin.json()["error"].startswith("no ")


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("/api/runs?page=abc", "page"),
        ("/api/runs?page=0", "page"),
        ("/api/runs?sort=colour", "sort"),
        ("/api/runs?order=sideways", "order"),
        ("/api/runs/{run}/programs?show=everything", "show"),
        ("/api/runs/{run}/lineage?colour=plaid", "colour"),
        ("/api/runs/{run}/lineage?rejected=maybe", "rejected"),
        ("/api/runs/{run}/events?before=-3", "before"),
        ("/api/compare?a={best}", "compare"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(
    dashboard: str, offline_archive: OfflineArchive, query: str, named: str
) -> None:
    url = dashboard + query.format(run=offline_archive.run_id, best=offline_archive.best_id)
    reply = fetch(url)
    assert reply.status == 400
    assert reply.json()["error"].startswith(f"{named}:")
    html_path = query.replace("/api/runs?", "/?").replace("/api", "", 1)
    page = fetch(
        dashboard + html_path.format(run=offline_archive.run_id, best=offline_archive.best_id)
    )
    assert page.status == 400


def test_events_page_back_through_the_log(dashboard: str, offline_archive: OfflineArchive) -> None:
    first = fetch(f"{dashboard}/api/runs/{offline_archive.run_id}/events").json()
    kinds = [e["kind"] for e in first["events"]["items"]]
    assert "start" in kinds and "validation" in kinds
    ids = [e["id"] for e in first["events"]["items"]]
    assert ids == sorted(ids, reverse=True)
    before = fetch(f"{dashboard}/api/runs/{offline_archive.run_id}/events?before={ids[0]}").json()
    assert [e["id"] for e in before["events"]["items"]] == ids[1:]


def test_a_run_that_has_just_started_renders_every_page(tmp_path: Path) -> None:
    archive = Archive(str(tmp_path / "new.db"))
    run_id = archive.create_run(
        problem_name="toy",
        problem_path="problems/toy",
        problem_digest="0" * 64,
        objective_metric="value",
        objective_direction="maximize",
        settings={},
        status="running",
        verified=True,
        sandbox_backend="process",
        executor="inline",
        seed=0,
        host="test",
        version="test",
    )
    with serving(create_app(str(tmp_path / "new.db"))) as base:
        for path in ("/", f"/runs/{run_id}", f"/runs/{run_id}/lineage", f"/runs/{run_id}/programs"):
            assert fetch(base + path).status == 200, path
        assert "No program has a score yet" in fetch(f"{base}/runs/{run_id}").body
        seed = ProgramRecord(
            id=new_id(),
            run_id=run_id,
            seq=0,
            island=0,
            generation=0,
            source="x = 1\n",
            source_hash="h",
            language="python",
            state="pending",
            mutation="seed",
        )
        archive.add_program(seed)
        archive.update_run(run_id, seed_program_id=seed.id)
        page = fetch(f"{base}/programs/{seed.id}")
        assert page.status == 200 and "Not evaluated" in page.body
        tree = fetch(f"{base}/api/runs/{run_id}/lineage").json()
        assert tree["focus"]["id"] == seed.id and tree["focus"]["state"] == "pending"
        assert fetch(f"{base}/api/runs/{run_id}").json()["run"]["statuses"] == {"pending": 1}
    archive.close()


def test_program_listing_names_each_parent_by_its_number(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    items = fetch(f"{dashboard}/api/runs/{offline_archive.run_id}/programs").json()["programs"]
    by_id = {p["id"]: p for p in items["items"]}
    children = [p for p in items["items"] if p["parent_id"] in by_id]
    assert children
    assert all(p["parent_seq"] == by_id[p["parent_id"]]["seq"] for p in children)
    html = fetch(f"{dashboard}/runs/{offline_archive.run_id}/programs").body
    seed = by_id[offline_archive.seed_id]
    link = f'href="/programs/{seed["id"]}">#{seed["seq"]}</a>'
    assert html.count(link) >= 2  # its own row, and its children's parent column
    assert f">{seed['id'][:8]}</a>" not in html  # no bare id prefixes


def test_the_event_log_offers_newest_only_when_paged_back(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    newest = fetch(f"{dashboard}/runs/{offline_archive.run_id}/events").body
    assert "newest" not in newest  # two events: one page, nothing to go back to
    last = fetch(f"{dashboard}/api/runs/{offline_archive.run_id}/events").json()["events"]
    paged = fetch(
        f"{dashboard}/runs/{offline_archive.run_id}/events?before={last['items'][0]['id']}"
    ).body
    assert "← newest" in paged
