"""The dashboard's guard: an optional access token, loopback Host checks, safe headers.

With a token every request must carry it: ``Authorization: Bearer T``, or the cookie set
after opening any page once with ``?token=T`` (the page is then reloaded without it, so
the token stays out of the address bar and of links).
"""

from __future__ import annotations

import hmac
import time
from urllib.parse import urlencode

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "adrs_dashboard_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")
HEADERS = {
    # nothing from elsewhere, no inline scripts or styles: model-written text cannot run
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.")


def _host_name(header: str) -> str:
    if header.startswith("["):
        return header.split("]")[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Guard:
    """ASGI middleware: checks the token and the Host header, adds security headers."""

    def __init__(self, app: ASGIApp, *, token: str | None, loopback_only: bool) -> None:
        self.app = app
        self.token = token
        self.loopback_only = loopback_only

    def _authorised(self, conn: HTTPConnection) -> bool:
        assert self.token is not None
        supplied = conn.headers.get("authorization", "")
        if supplied.lower().startswith("bearer "):
            return hmac.compare_digest(supplied[7:].strip().encode(), self.token.encode())
        cookie = conn.cookies.get(COOKIE, "")
        return hmac.compare_digest(cookie.encode(), self.token.encode())

    def _refusal(self, conn: HTTPConnection) -> Response | None:
        host = _host_name(conn.headers.get("host", ""))
        if self.loopback_only and not is_loopback(host):
            # a page elsewhere that rebinds its name to 127.0.0.1 must not read the archive
            return PlainTextResponse(f"host {host!r} not served here", status_code=421)
        if self.token is None or self._authorised(conn):
            return None
        given = conn.query_params.get("token")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            rest = [(k, v) for k, v in conn.query_params.multi_items() if k != "token"]
            target = conn.url.path + (f"?{urlencode(rest)}" if rest else "")
            redirect = RedirectResponse(target, status_code=303)
            redirect.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
            return redirect
        message = "this dashboard needs its access token (open it once with ?token=...)"
        if conn.url.path.startswith("/api"):
            return JSONResponse(
                {"error": message}, status_code=401, headers={"www-authenticate": "Bearer"}
            )
        return PlainTextResponse(message, status_code=401, headers={"www-authenticate": "Bearer"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                # how long the server took to produce the response (browsers show it)
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers["server-timing"] = f"app;dur={elapsed_ms:.2f}"
            await send(message)

        refusal = self._refusal(HTTPConnection(scope))
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
