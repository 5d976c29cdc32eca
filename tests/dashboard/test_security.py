"""Safe by default: model-written text escaped, strict headers, token, Host check, and an
archive that the dashboard never changes."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from adrs.dashboard.app import create_app
from adrs.dashboard.readonly import open_readonly
from tests.dashboard.conftest import HOSTILE_METRIC, OfflineArchive, fetch, serving

INJECTED = re.compile(r"<(script|iframe|img|svg|style)\b[^<]*(__pwned|javascript:|display:none)")


def _pages(a: OfflineArchive) -> list[str]:
    return [
        "/",
        f"/runs/{a.run_id}",
        f"/runs/{a.run_id}/programs",
        f"/runs/{a.run_id}/lineage?focus={a.hostile_id}",
        f"/runs/{a.run_id}/lineage?focus={a.hostile_id}&view=window",
        f"/programs/{a.hostile_id}",
        f"/programs/{a.best_id}",  # lists the hostile program among its children
        f"/compare?a={a.best_id}&b={a.hostile_id}",
    ]


def test_everything_a_model_wrote_is_escaped_on_every_page(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    for path in _pages(offline_archive):
        reply = fetch(dashboard + path)
        assert reply.status == 200, path
        assert not INJECTED.search(reply.body), (path, INJECTED.search(reply.body))
    program = fetch(f"{dashboard}/programs/{offline_archive.hostile_id}").body
    # the text is shown, as text
    assert "&lt;script&gt;window.__pwned = 3&lt;/script&gt;" in program  # the response
    assert "&lt;iframe src=&#34;javascript:window.__pwned = 4&#34;&gt;" in program  # prompt
    assert "&lt;/pre&gt;&lt;script&gt;" in program  # stderr tail
    assert "&lt;img src=x onerror=&#34;window.__pwned = 7&#34;&gt;" in program  # metric name
    assert "&lt;svg onload=" in program  # mutation
    scripts = re.findall(r"<script\b[^>]*>", program)
    assert scripts == ['<script src="/static/live.js" defer>']


def test_the_json_api_returns_model_text_verbatim(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    data = fetch(f"{dashboard}/api/programs/{offline_archive.hostile_id}").json()
    assert data["calls"][0]["response"].startswith("<script>window.__pwned = 3</script>")
    assert HOSTILE_METRIC in data["program"]["metrics"]


def test_pages_forbid_inline_scripts_and_anything_from_elsewhere(dashboard: str) -> None:
    headers = fetch(f"{dashboard}/").headers
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert re.fullmatch(r"app;dur=[0-9.]+", headers["server-timing"])


def test_no_page_loads_anything_from_another_origin(
    dashboard: str, offline_archive: OfflineArchive
) -> None:
    for path in _pages(offline_archive):
        body = fetch(dashboard + path).body
        for url in re.findall(r'(?:src|href)="([^"]+)"', body):
            assert url.startswith(("/", "#", "data:")), (path, url)


def test_with_a_token_every_request_must_carry_it(offline_archive: OfflineArchive) -> None:
    token = "s3cret-token"
    with serving(create_app(offline_archive.url, token=token)) as base:
        for path in ("/", "/api/runs", "/static/style.css", f"/programs/{offline_archive.best_id}"):
            refused = fetch(base + path)
            assert refused.status == 401, path
            assert "access token" in refused.body
        assert fetch(f"{base}/api/runs", {"Authorization": "Bearer wrong"}).status == 401
        assert fetch(f"{base}/api/runs", {"Authorization": f"Bearer {token}"}).status == 200
        assert fetch(f"{base}/?token=wrong").status == 401
        opened = fetch(f"{base}/runs/{offline_archive.run_id}?token={token}", follow=False)
        assert opened.status == 303
        assert opened.headers["location"] == f"/runs/{offline_archive.run_id}"
        cookie = opened.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        again = fetch(f"{base}/runs/{offline_archive.run_id}", {"Cookie": cookie.split(";")[0]})
        assert again.status == 200


def test_a_loopback_dashboard_refuses_other_host_names(dashboard: str) -> None:
    # a web page elsewhere that rebinds its name to 127.0.0.1 must not read the archive
    assert fetch(f"{dashboard}/api/runs", {"Host": "attacker.example:8000"}).status == 421
    assert fetch(f"{dashboard}/api/runs", {"Host": "localhost:8000"}).status == 200


def test_browsing_never_changes_the_archive(offline_archive: OfflineArchive) -> None:
    before = hashlib.sha256(offline_archive.path.read_bytes()).hexdigest()
    with serving(create_app(offline_archive.url)) as base:
        for path in [*_pages(offline_archive), f"/api/runs/{offline_archive.run_id}"]:
            assert fetch(base + path).status == 200
    assert hashlib.sha256(offline_archive.path.read_bytes()).hexdigest() == before


def test_the_dashboards_connection_cannot_write(offline_archive: OfflineArchive) -> None:
    archive = open_readonly(offline_archive.url)
    try:
        with archive.engine.connect() as conn, pytest.raises(OperationalError, match="readonly"):
            conn.execute(text("DELETE FROM programs"))
    finally:
        archive.engine.dispose()
