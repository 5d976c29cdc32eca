"""The dashboard in a real browser: headless Chromium (Debian's build) driven by Playwright.

Screenshots of every page go to test-artifacts/dashboard/ for people to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adrs.dashboard.app import create_app
from tests.conftest import PROBLEMS, REPO
from tests.dashboard.conftest import BigArchive, OfflineArchive, serving
from tests.support.require import require

ARTIFACTS = REPO / "test-artifacts" / "dashboard"


def _chromium() -> str | None:
    return os.environ.get("ADRS_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    require(executable is not None, "Debian's chromium is not installed (scripts/prereqs.d)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright package is not installed (pip install -e '.[dev]')")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


class Watched:
    """A page that records console errors, uncaught errors and dialogs (none are expected).

    ``bypass_csp`` turns the pages' Content-Security-Policy off, to show that escaping alone
    keeps model-written text from running.
    """

    def __init__(self, browser: Any, bypass_csp: bool = False) -> None:
        self.page = browser.new_page(viewport={"width": 1300, "height": 900}, bypass_csp=bypass_csp)
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on(
            "dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss())
        )

    def shot(self, name: str, full_page: bool = True) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)

    def close(self) -> None:
        self.page.close()
        assert self.problems == []


def test_a_researcher_goes_from_the_runs_to_a_program_and_compares_it(
    browser: Any, dashboard: str, offline_archive: OfflineArchive
) -> None:
    w = Watched(browser)
    page = w.page
    page.goto(f"{dashboard}/")
    w.shot("01-runs")
    page.click(f"a:text-is('{offline_archive.run_id}')")
    page.wait_for_url(f"**/runs/{offline_archive.run_id}")
    assert page.locator("svg.chart circle.pt").count() > 10
    assert page.locator("#run-tables table").first.inner_text().count("\n") >= 2  # islands
    w.shot("02-run")
    page.click("text=Lineage of the best program")
    page.wait_for_url("**/lineage")
    assert page.locator("svg.tree circle.node").count() > 10
    assert page.locator("svg.tree circle.focus").count() == 1
    w.shot("03-lineage")
    # the node of the best program opens its page
    page.locator(f'svg.tree a[href="/programs/{offline_archive.best_id}"] circle').click()
    page.wait_for_url(f"**/programs/{offline_archive.best_id}")
    code = page.locator("#code table.lines")
    assert "def place_models" in code.inner_text()
    diff = page.locator("#diffs table.diff").first
    assert diff.locator("tr.added").count() + diff.locator("tr.removed").count() > 0
    assert page.locator("#calls pre.text").first.is_visible()
    w.shot("04-program")
    page.click("text=Compare with parent")
    page.wait_for_url("**/compare?*")
    assert (
        page.locator(
            "table.side-diff tr.replace, table.side-diff tr.insert, table.side-diff tr.delete"
        ).count()
        > 0
    )
    assert "max_kvpr" in page.locator("#compare-metrics").inner_text()
    w.shot("05-compare")
    page.goto(f"{dashboard}/runs/{offline_archive.run_id}")
    boxes = page.locator("#run-top input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("text=Compare the two ticked")
    page.wait_for_url("**/compare?p=*")
    assert page.locator("table.side-diff").count() == 1
    page.goto(f"{dashboard}/runs/{offline_archive.run_id}")
    page.click("text=All programs")
    page.wait_for_url("**/programs")
    rows = page.locator("#program-list tbody tr")
    assert rows.count() > 10
    parents = page.locator("#program-list tbody td:nth-child(7) a").all_inner_texts()
    assert len(parents) > 10 and all(re.fullmatch(r"#\d+", p) for p in parents)  # as #seq
    w.shot("08-programs")
    page.goto(f"{dashboard}/runs/{offline_archive.run_id}")
    page.click("text=Event log")
    page.wait_for_url("**/events")
    assert "validation" in page.locator("main table").inner_text()
    w.shot("09-events")
    page.goto(f"{dashboard}/runs/{offline_archive.run_id}/lineage")
    page.click(".filters a:text-is('island')")
    page.wait_for_url("**colour=island*")
    assert page.locator(".legend .island-key").count() == 2  # the key to the colours
    w.shot("10-lineage-by-island")
    page.click("a.api-link:text-is('API')")
    page.wait_for_url("**/api")
    assert page.locator("main table tbody tr").count() >= 9
    w.shot("11-api-reference")
    w.close()


def test_links_to_a_part_of_a_page_land_below_the_sticky_header(
    browser: Any, dashboard: str, offline_archive: OfflineArchive
) -> None:
    w = Watched(browser)
    page = w.page
    for part, heading in (("metrics", "#metrics h2"), ("children", "#children h2")):
        page.goto(f"{dashboard}/programs/{offline_archive.best_id}#{part}")
        header = page.locator("header.top").bounding_box()
        box = page.locator(heading).bounding_box()
        assert header and box
        assert page.evaluate("window.scrollY") > 0, part  # the page did scroll to it
        assert box["y"] >= header["y"] + header["height"], part  # and it is not hidden
    w.shot("12-program-anchor", full_page=False)
    w.close()


def test_a_big_runs_pages_in_the_browser(browser: Any, big_archive: BigArchive) -> None:
    with serving(create_app(big_archive.url)) as base:
        w = Watched(browser)
        page = w.page
        page.goto(f"{base}/runs/{big_archive.run_id}")
        assert page.locator("svg.chart line.band").count() > 50  # min/max per stretch
        assert page.locator("svg.chart polyline.best").count() == 1  # best so far
        w.shot("13-big-run")
        page.click("text=Lineage of the best program")
        page.wait_for_url("**/lineage")
        assert page.locator("svg.tree circle.node").count() > 20
        assert page.locator("svg.tree circle.focus").count() == 1
        box = page.locator(".tree-box")
        focus = page.locator("svg.tree circle.focus").bounding_box()
        shown = box.bounding_box()
        assert focus and shown  # lineage.js scrolled the focus into the box
        assert shown["x"] <= focus["x"] <= shown["x"] + shown["width"]
        w.shot("14-big-lineage-window")
        page.click("text=more ancestors")
        page.wait_for_url("**focus=*")
        assert page.locator("svg.tree circle.node").count() > 20
        w.shot("15-big-lineage-higher")
        w.close()


def test_text_a_model_wrote_never_runs_in_the_browser(
    browser: Any, dashboard: str, offline_archive: OfflineArchive
) -> None:
    w = Watched(browser, bypass_csp=True)
    page = w.page
    for path in (
        f"/programs/{offline_archive.hostile_id}",
        f"/runs/{offline_archive.run_id}",
        f"/compare?a={offline_archive.best_id}&b={offline_archive.hostile_id}",
        f"/runs/{offline_archive.run_id}/lineage?focus={offline_archive.hostile_id}",
    ):
        page.goto(dashboard + path)
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("iframe, img, style").count() == 0, path
    page.goto(f"{dashboard}/programs/{offline_archive.hostile_id}")
    text = page.locator("#calls").inner_text()
    assert "<script>window.__pwned = 3</script>" in text  # shown as text
    assert '<iframe src="javascript:window.__pwned = 4"></iframe>' in text
    w.shot("06-hostile-program")
    w.close()


def _wait_until(page: Any, script: str, timeout: float = 30) -> None:
    """Poll ``script`` in the page until it is true (the pages' policy forbids eval-based
    waiting inside the page, so the test polls from outside)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for: {script}"
        time.sleep(0.25)


def _running_run(db: Path, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    row = conn.execute("SELECT id FROM runs WHERE iterations > 5").fetchone()
                if row:
                    return str(row[0])
            except sqlite3.OperationalError:
                pass  # schema still being created
        time.sleep(0.2)
    raise AssertionError("the run did not start")


def test_a_running_runs_page_updates_in_place(browser: Any, tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    problem = str(PROBLEMS / "model_placement")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adrs.cli.main",
            "run",
            problem,
            "--iterations",
            "5000",
            "--db",
            str(db),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        run_id = _running_run(db, proc)
        with serving(create_app(str(db))) as base:
            w = Watched(browser)
            page = w.page
            page.goto(f"{base}/runs/{run_id}")
            assert page.locator("#live-indicator.on").count() == 1
            page.evaluate("window.__sameDocument = true")
            # read from the top programs down (as far as the page scrolls)
            page.evaluate("document.querySelector('#run-top').scrollIntoView()")
            anchor = page.evaluate(
                "document.querySelector('#run-top h2').getBoundingClientRect().top"
            )
            before = page.locator("#run-head .card .v").nth(1).inner_text()
            _wait_until(
                page,
                "document.querySelector('#run-head .card:nth-child(2) .v').textContent.trim()"
                f" !== '{before}'",
            )
            assert page.evaluate("window.__sameDocument") is True  # no reload
            assert int(page.evaluate("document.body.dataset.refreshed")) >= 1
            after = page.evaluate(
                "document.querySelector('#run-top h2').getBoundingClientRect().top"
            )
            assert abs(after - anchor) < 40  # the reader is still where they were
            w.shot("07-live-run", full_page=False)  # what the reader sees, where they are
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
            _wait_until(page, "!document.getElementById('live-indicator').classList.contains('on')")
            assert "interrupted" in page.locator("#run-head h1").inner_text()
            w.close()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
