"""Fixtures for the dashboard's tests: a real offline run's archive (with one program whose
code, prompt and response try to inject HTML), a big generated archive, a live server."""

from __future__ import annotations

import importlib.util
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from adrs import api
from adrs.archive.store import Archive, CallRecord, ProgramRecord, new_id
from adrs.dashboard.app import create_app
from adrs.dashboard.serve import address_of, bind
from adrs.evaluation.evaluate import Evaluation, StageResult
from adrs.evaluation.status import ProgramState, Status
from tests.conftest import PROBLEMS, REPO

HOSTILE_SOURCE = '''# </script><script>window.__pwned = 1</script>
# EVOLVE-BLOCK-START
def place_models(gpu_num, models):
    """<img src=x onerror="window.__pwned = 2"> & <b>not bold</b>"""
    return [[m["name"] for m in models]] + [[] for _ in range(gpu_num - 1)]
# EVOLVE-BLOCK-END
'''
HOSTILE_METRIC = '<img src=x onerror="window.__pwned = 7">'
HOSTILE_MARKERS = ("window.__pwned",)


@dataclass(frozen=True)
class OfflineArchive:
    """A real offline run of problems/model_placement, validated, plus a hostile program."""

    url: str
    path: Path
    run_id: str
    best_id: str
    seed_id: str
    hostile_id: str


def add_hostile_program(archive: Archive, run_id: str, parent_id: str, seq: int) -> str:
    """Store, through the archive's own API, a program whose every field carries HTML."""
    pid = new_id()
    record = ProgramRecord(
        id=pid,
        run_id=run_id,
        seq=seq,
        island=0,
        generation=1,
        source=HOSTILE_SOURCE,
        source_hash=f"hostile-{pid}",
        language="python",
        state=str(ProgramState.PENDING),
        parent_id=parent_id,
        mutation='<svg onload="window.__pwned = 5">',
    )
    call = CallRecord(
        model="<b>model</b>",
        system_prompt="<style>body{display:none}</style>",
        prompt='<iframe src="javascript:window.__pwned = 4"></iframe>',
        response="<script>window.__pwned = 3</script>\n"
        "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE",
    )
    archive.add_program(record, call, [(parent_id, "parent")])
    cases = [{"id": "<i>case</i>", "elapsed_s": 0.001, "metrics": {HOSTILE_METRIC: 1.0}}]
    stage = StageResult(
        stage="full",
        split="search",
        status=Status.OK,
        reason="",
        metrics={"max_kvpr": 0.01, HOSTILE_METRIC: 1.0},
        score=0.01,
        cases=cases,
        stdout="<script>window.__pwned = 8</script>",
        stderr="</pre><script>window.__pwned = 9</script>",
        backend="process",
        wall_s=0.01,
    )
    archive.record_evaluation(pid, run_id, Evaluation(stages=[stage], complete=True))
    return pid


@pytest.fixture(scope="session")
def offline_archive(tmp_path_factory: pytest.TempPathFactory) -> OfflineArchive:
    path = tmp_path_factory.mktemp("dash") / "archive.db"
    url = f"sqlite:///{path}"
    # Seed 2 improves on the seed program within 40 iterations (runs are reproducible), so
    # the best program has a parent, a diff and a lineage to show.
    result = api.run(
        str(PROBLEMS / "model_placement"), iterations=40, seed=2, db=url, executor="inline"
    )
    api.validate(result.run_id, db=url)
    archive = Archive(url)
    run = archive.get_run(result.run_id)
    assert run.best_program_id and run.seed_program_id
    assert run.best_program_id != run.seed_program_id
    hostile = add_hostile_program(archive, run.id, run.best_program_id, run.iterations + 1)
    archive.close()
    return OfflineArchive(url, path, run.id, run.best_program_id, run.seed_program_id, hostile)


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "dashboard_archive", REPO / "bench" / "dashboard_archive.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class BigArchive:
    url: str
    run_id: str
    programs: int


BIG_PROGRAMS = 2500


@pytest.fixture(scope="session")
def big_archive(tmp_path_factory: pytest.TempPathFactory) -> BigArchive:
    """A generated run too big to draw whole or to chart point by point."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dash-big') / 'big.db'}"
    run_id = _load_generator().generate(url, BIG_PROGRAMS, seed=1, cases=(2, 3))
    return BigArchive(url, run_id, BIG_PROGRAMS)


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields its base URL."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard server did not start")
        time.sleep(0.02)
    try:
        yield address_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def dashboard(offline_archive: OfflineArchive) -> Iterator[str]:
    with serving(create_app(offline_archive.url)) as base:
        yield base


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        import json

        return json.loads(self.body)


def fetch(url: str, headers: dict[str, str] | None = None, follow: bool = True) -> Reply:
    """GET ``url``; HTTP errors come back as replies, not exceptions."""
    handlers: list[Any] = [] if follow else [_NoRedirect()]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return Reply(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers), exc.read().decode())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
