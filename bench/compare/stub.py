"""The stub model server of the comparison, in a process of its own (so that neither
system's orchestrator pays for it): answers from `pool.py` after a fixed latency, and on
SIGTERM writes every request's wall-clock start and end as JSON lines.

    python bench/compare/stub.py --latency 1.0 --log requests.jsonl [--hang-at K --hog-at K]

The first line on stdout is the OpenAI-compatible base URL.
"""

from __future__ import annotations

import argparse
import itertools
import json
import signal
import threading
import time
from pathlib import Path

import pool  # this script's folder, which Python puts on sys.path

from adrs.llm.stub_server import Reply, StubRequest, StubServer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, required=True, help="seconds per answer")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--hang-at", type=int, default=-1)
    parser.add_argument("--hog-at", type=int, default=-1)
    args = parser.parse_args()

    turns = itertools.count()
    started: dict[int, tuple[int, float]] = {}
    lock = threading.Lock()

    def respond(request: StubRequest) -> Reply:
        with lock:
            turn = next(turns)
            started[id(request)] = (turn, time.time())
        text = pool.answer(request.prompt, turn, hang_at=args.hang_at, hog_at=args.hog_at)
        return Reply(text=text)

    stub = StubServer(port=args.port, latency_s=args.latency, responder=respond)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stub.start()
    print(stub.openai_base_url, flush=True)
    stop.wait()
    stub.stop()
    with args.log.open("w", encoding="utf-8") as out:
        for request in stub.calls():
            turn, t0 = started[id(request)]
            record = {"turn": turn, "t0": t0, "t1": t0 + request.handled_s}
            out.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
