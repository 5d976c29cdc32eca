"""Server time of the dashboard's pages over a large archive (median of repeated requests).

Serves the dashboard with uvicorn on a local port and requests each page repeatedly; the
server time is the app's own Server-Timing figure (from the request reaching the app to
the response being ready), the round trip adds HTTP on the loopback. "cold" requests
start with the dashboard's memo and highlighting cache emptied (the first view of a page
after the run changed); "warm" ones repeat the view of an unchanged run.

    python bench/dashboard_timing.py --db /tmp/dash10k.db          # an existing archive
    python bench/dashboard_timing.py --programs 10000               # build one first
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dashboard_archive import generate

from adrs.archive.models import Program, Run
from adrs.dashboard.app import create_app
from adrs.dashboard.readonly import open_readonly
from adrs.dashboard.serve import bind

TIMING = re.compile(r"app;dur=([0-9.]+)")


def _pages(url: str) -> list[tuple[str, str]]:
    ro = open_readonly(url)
    with ro.engine.connect() as conn:
        run_id, best, count = conn.execute(
            select(
                Run.id,
                Run.best_program_id,
                select(func.count()).where(Program.run_id == Run.id).scalar_subquery(),
            )
            .order_by(Run.created_at.desc())
            .limit(1)
        ).one()
    ro.engine.dispose()
    print(f"run {run_id}: {count} programs; best program {best}")
    return [
        ("run page", f"/runs/{run_id}"),
        ("lineage of the best", f"/runs/{run_id}/lineage"),
        ("program page (best)", f"/programs/{best}"),
        ("runs page", "/"),
        ("programs list, page 50", f"/runs/{run_id}/programs?page=50"),
        ("run JSON", f"/api/runs/{run_id}"),
        ("program JSON", f"/api/programs/{best}"),
    ]


@dataclass
class Figures:
    server_ms: float
    trip_ms: float
    size: int


def _measure(port: int, path: str, repeat: int, forget: Callable[[], None] | None) -> Figures:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    server, trip, size = [], [], 0
    for n in range(repeat + 2):
        if forget is not None:
            forget()
        t0 = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}: {body[:200]!r}")
        if n >= 2:  # the first two warm SQLite's page cache and compile the templates
            match = TIMING.search(response.getheader("server-timing", ""))
            server.append(float(match.group(1)) if match else float("nan"))
            trip.append(elapsed)
            size = len(body)
    conn.close()
    return Figures(statistics.median(server), statistics.median(trip), size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing archive (default: build one)")
    parser.add_argument("--programs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="adrs-dash-bench-") as tmp:
        url = args.db
        if url is None:
            url = f"sqlite:///{Path(tmp) / 'archive.db'}"
            t0 = time.perf_counter()
            generate(url, args.programs)
            print(f"built a {args.programs}-program archive in {time.perf_counter() - t0:.1f} s")
        pages = _pages(url)
        sock = bind("127.0.0.1", 0)
        port = sock.getsockname()[1]
        app = create_app(url)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        dashboard = app.state.dashboard
        print(f"median of {args.repeat} requests each, in milliseconds")
        print(f"{'page':<24} {'cold server':>11} {'warm server':>11} {'warm trip':>9} {'KiB':>6}")
        for label, path in pages:
            cold = _measure(port, path, args.repeat, dashboard.forget)
            warm = _measure(port, path, args.repeat, None)
            print(
                f"{label:<24} {cold.server_ms:>11.1f} {warm.server_ms:>11.1f} "
                f"{warm.trip_ms:>9.1f} {warm.size / 1024:>6.1f}"
            )
        server.should_exit = True
        thread.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
