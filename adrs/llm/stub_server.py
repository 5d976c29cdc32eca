"""A local HTTP stand-in for model endpoints, for tests and benchmarks.

It speaks the OpenAI Chat Completions (``POST /v1/chat/completions``) and the Anthropic
Messages (``POST /v1/messages``) wire formats, so the real SDK clients talk to it through
their base URL. Answers come, in this order, from a per-model script of :class:`Reply`
objects, from a ``responder`` callable, then from a pool of answer texts taken in turn.
Every request is logged with the token counts the stub reported.

Command line::

    python -m adrs.llm.stub_server --port 8000 --latency 1.0 --answers answers.json

``answers.json`` is a JSON list whose items are answer texts or :class:`Reply` fields.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DEFAULT_ANSWER = "I have no change to propose."


@dataclass
class Reply:
    """One scripted answer: a text, an HTTP error, or a broken response."""

    text: str = DEFAULT_ANSWER
    status: int = 200
    message: str = ""  # the error message of a non-200 reply
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # latency on top of the server's own
    drop: bool = False  # close the connection without answering
    garbage: bool = False  # a 200 whose body is not JSON
    empty: bool = False  # a well-formed answer with no content at all
    truncated: bool = False  # the answer stopped at the output-token limit
    tokens_in: int | None = None  # reported usage; None: estimated from the text
    tokens_out: int | None = None

    @classmethod
    def from_json(cls, item: Any) -> Reply:
        if isinstance(item, str):
            return cls(text=item)
        if not isinstance(item, dict):
            raise ValueError(f"an answer must be a string or an object, got {item!r}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(item) - known)
        if unknown:
            raise ValueError(f"unknown reply field {unknown[0]!r}")
        return cls(**item)


@dataclass
class StubRequest:
    """One request as the stub saw it, and what it reported back."""

    api: str  # "openai" or "anthropic"
    model: str
    body: dict[str, Any]
    headers: dict[str, str]
    system: str
    prompt: str
    tokens_in: int = 0
    tokens_out: int = 0
    status: int = 0
    handled_s: float = 0.0  # the stub's own time, scripted latency included


def estimate_tokens(text: str) -> int:
    """The stub's token count: about four characters a token."""
    return max(1, math.ceil(len(text) / 4)) if text else 0


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") for part in content if isinstance(part, dict)
        )  # content blocks
    return ""


Responder = Callable[[StubRequest], Reply | None]


class StubServer:
    """A threaded HTTP server on localhost; use as a context manager or start()/stop()."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_s: float = 0.0,
        answers: Iterable[str | Reply] = (),
        responder: Responder | None = None,
    ) -> None:
        self.latency_s = latency_s
        self.responder = responder
        self.pool = [a if isinstance(a, Reply) else Reply(text=a) for a in answers]
        self._turn = itertools.count()
        self._scripts: dict[str | None, deque[Reply]] = {}
        self._lock = threading.Lock()
        self.requests: list[StubRequest] = []
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- configuration -------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    def script(self, model: str | None, *replies: Reply | str) -> None:
        """Queue replies for ``model`` (None: any model), used once each, in order."""
        with self._lock:
            queue = self._scripts.setdefault(model, deque())
            queue.extend(r if isinstance(r, Reply) else Reply(text=r) for r in replies)

    def calls(self, model: str | None = None) -> list[StubRequest]:
        with self._lock:
            return [r for r in self.requests if model is None or r.model == model]

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> StubServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # a quick stop
            name="adrs-stub-llm",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- answering -----------------------------------------------------------------------

    def choose(self, request: StubRequest) -> Reply:
        with self._lock:
            for key in (request.model, None):
                queue = self._scripts.get(key)
                if queue:
                    return queue.popleft()
        if self.responder is not None:
            reply = self.responder(request)
            if reply is not None:
                return reply
        if self.pool:
            return self.pool[next(self._turn) % len(self.pool)]
        return Reply()

    def log(self, request: StubRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _openai_body(req: StubRequest, reply: Reply) -> dict[str, Any]:
    text = "" if reply.empty else reply.text
    return {
        "id": f"chatcmpl-stub-{id(req)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": req.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "length" if reply.truncated else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": req.tokens_in,
            "completion_tokens": req.tokens_out,
            "total_tokens": req.tokens_in + req.tokens_out,
        },
    }


def _anthropic_body(req: StubRequest, reply: Reply) -> dict[str, Any]:
    content = [] if reply.empty else [{"type": "text", "text": reply.text}]
    return {
        "id": f"msg_stub_{id(req)}",
        "type": "message",
        "role": "assistant",
        "model": req.model,
        "content": content,
        "stop_reason": "max_tokens" if reply.truncated else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": req.tokens_in, "output_tokens": req.tokens_out},
    }


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "not_found_error",
    429: "rate_limit_error",
    529: "overloaded_error",
}


def _error_body(api: str, status: int, message: str) -> dict[str, Any]:
    kind = _ERROR_TYPES.get(status, "api_error")
    message = message or f"stub error {status}"
    if api == "anthropic":
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _handler_for(stub: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints do
        # Headers and body leave in one segment, without Nagle's delay: otherwise every
        # answer waits for a delayed ACK and the stub, not the client, sets the latency.
        wbufsize = -1
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            started = time.perf_counter()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path.rstrip("/").endswith("/chat/completions"):
                api = "openai"
            elif self.path.rstrip("/").endswith("/messages"):
                api = "anthropic"
            else:
                body = _error_body("openai", 404, f"no route {self.path}")
                self._send(404, json.dumps(body).encode(), {})
                return
            try:
                data = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send(400, json.dumps(_error_body(api, 400, "body is not JSON")).encode(), {})
                return
            messages = data.get("messages") or []
            system = _text_of(data.get("system", ""))
            if api == "openai":
                system = "".join(
                    _text_of(m.get("content")) for m in messages if m.get("role") == "system"
                )
            prompt = "".join(
                _text_of(m.get("content")) for m in messages if m.get("role") != "system"
            )
            req = StubRequest(
                api=api,
                model=str(data.get("model", "")),
                body=data,
                headers={k.lower(): v for k, v in self.headers.items()},
                system=system,
                prompt=prompt,
            )
            reply = stub.choose(req)
            delay = stub.latency_s + reply.delay_s
            if delay > 0:
                time.sleep(delay)
            req.status = reply.status
            if reply.drop:
                req.handled_s = time.perf_counter() - started
                stub.log(req)
                self.close_connection = True
                self.connection.close()
                return
            if reply.status != 200:
                payload = json.dumps(_error_body(api, reply.status, reply.message)).encode()
            elif reply.garbage:
                payload = b"<html>502 Bad Gateway</html>\x00\xff not json"
            else:
                text = "" if reply.empty else reply.text
                req.tokens_in = (
                    reply.tokens_in
                    if reply.tokens_in is not None
                    else estimate_tokens(system + prompt)
                )
                req.tokens_out = (
                    reply.tokens_out if reply.tokens_out is not None else estimate_tokens(text)
                )
                body = _openai_body(req, reply) if api == "openai" else _anthropic_body(req, reply)
                payload = json.dumps(body).encode()
            req.handled_s = time.perf_counter() - started
            stub.log(req)
            # The client may have given up (a deadline): then there is no one to answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._send(reply.status, payload, reply.headers)

    return Handler


def load_answers(path: str | Path) -> list[Reply]:
    """A JSON list of answer texts or reply objects."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list) or not data:
        raise ValueError(f"{path}: expected a non-empty JSON list of answers")
    return [Reply.from_json(item) for item in data]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m adrs.llm.stub_server",
        description="A local OpenAI/Anthropic-compatible stub endpoint for tests.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--answers", help="JSON list of answers, taken in turn")
    args = parser.parse_args(argv)
    try:
        answers = load_answers(args.answers) if args.answers else []
    except (OSError, ValueError, TypeError) as exc:
        parser.error(f"--answers: {exc}")
    stub = StubServer(host=args.host, port=args.port, latency_s=args.latency, answers=answers)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stub.start()
    print(f"stub endpoint listening on {stub.url}", flush=True)
    print(f"  openai:    base URL {stub.openai_base_url}", flush=True)
    print(f"  anthropic: base URL {stub.anthropic_base_url}", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stub.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
