"""The dashboard's ASGI app: each page as HTML and as JSON under /api, static files, stamps.

Handlers are plain functions (Starlette runs them in its thread pool), each opening one
read-only connection for its queries.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from adrs.dashboard import apidoc, highlight
from adrs.dashboard.assets import environment, web_dir
from adrs.dashboard.errors import NotFound, RequestError, Unavailable
from adrs.dashboard.memo import Memo
from adrs.dashboard.pages import lineage, program, run, runs
from adrs.dashboard.pages.base import Page, Reader, Urls
from adrs.dashboard.params import Params
from adrs.dashboard.queries import runs as run_queries
from adrs.dashboard.readonly import ReadonlyArchive, open_readonly
from adrs.dashboard.security import Guard

PAGES = (
    runs.PAGE,
    run.PAGE,
    run.PROGRAMS,
    run.EVENTS,
    lineage.PAGE,
    program.PAGE,
    program.COMPARE,
)


def _plain(value: Any) -> Any:
    """JSON-ready data: private keys dropped, times as ISO 8601, non-finite floats null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_response(data: Any, status: int = 200) -> Response:
    body = json.dumps(_plain(data), default=str, allow_nan=False)
    return Response(body, status_code=status, media_type="application/json")


class Dashboard:
    """The app's state: the read-only archive, the templates, and the handlers."""

    def __init__(self, archive: ReadonlyArchive, env: Environment) -> None:
        self.archive = archive
        self.env = env
        self.memo = Memo()

    def forget(self) -> None:
        """Drop what is kept between requests (aggregates, highlighted sources)."""
        self.memo = Memo()
        highlight.forget()

    def _data(self, page: Page, request: Request) -> dict[str, Any]:
        params = Params.of(request.query_params.multi_items())
        try:
            with self.archive.engine.connect() as conn:
                return page.build(Reader(conn, self.memo), params, dict(request.path_params))
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise Unavailable(f"archive {self.archive.url}: read failed: {reason}") from None

    def _error_page(self, request: Request, exc: RequestError) -> Response:
        context = self._base(request, f"Error {exc.status}")
        context.update(status=exc.status, message=str(exc))
        return HTMLResponse(self.env.get_template("error.html").render(context), exc.status)

    def _base(self, request: Request, title: str) -> dict[str, Any]:
        return {
            "urls": Urls(request.scope.get("root_path", "")),
            "title": title,
            "archive": self.archive,
            "stamp_url": None,
            "live": False,
            "api_url": None,
        }

    def html(self, page: Page) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            try:
                data = self._data(page, request)
            except RequestError as exc:
                return self._error_page(request, exc)
            path = {k: quote(str(v)) for k, v in request.path_params.items()}
            context = self._base(request, page.title.format(**path))
            urls: Urls = context["urls"]
            if page.stamp == "runs":
                running = any(r["status"] == "running" for r in data["runs"])
                context.update(stamp_url=urls.api("/stamp"), live=running)
            elif page.stamp == "run":
                run_row = data["run"]
                context.update(
                    stamp_url=urls.api(f"/runs/{run_row['id']}/stamp"),
                    live=run_row["status"] == "running",
                )
            query = request.url.query
            api_path = page.api.format(**path)
            context["api_url"] = urls.api(api_path) + (f"?{query}" if query else "")
            context.update(data)
            context.update(page.present(data, urls))
            return HTMLResponse(self.env.get_template(page.template).render(context))

        return endpoint

    def api(self, page: Page) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            try:
                return json_response(self._data(page, request))
            except RequestError as exc:
                return json_response({"error": str(exc)}, exc.status)

        return endpoint

    def stamp(self, request: Request) -> Response:
        run_id = request.path_params.get("run_id")
        try:
            with self.archive.engine.connect() as conn:
                return json_response(run_queries.stamp(conn, run_id))
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            return json_response({"error": f"archive {self.archive.url}: {reason}"}, 503)

    def api_docs(self, request: Request) -> Response:
        context = self._base(request, "JSON API") | {"endpoints": apidoc.ENDPOINTS}
        return HTMLResponse(self.env.get_template("api.html").render(context))

    def not_found(self, request: Request, _exc: Exception) -> Response:
        missing = NotFound(f"no page at {request.url.path}")
        if request.url.path.startswith("/api"):
            return json_response({"error": str(missing)}, 404)
        return self._error_page(request, missing)


def code_css(_request: Request) -> Response:
    return Response(highlight.stylesheet(), media_type="text/css")


def create_app(
    db: str | None = None, *, token: str | None = None, loopback_only: bool = True
) -> Starlette:
    """The dashboard over the archive at ``db`` (opened read-only now, so errors show early)."""
    root = web_dir()
    dash = Dashboard(open_readonly(db), environment(root))
    routes: list[Route | Mount] = []
    for page in PAGES:
        routes.append(Route(page.path, dash.html(page), name=page.name))
        routes.append(Route(f"/api{page.api}", dash.api(page), name=f"api-{page.name}"))
    routes += [
        Route("/api", dash.api_docs, name="api-docs"),
        Route("/api/stamp", dash.stamp, name="api-stamp"),
        Route("/api/runs/{run_id}/stamp", dash.stamp, name="api-run-stamp"),
        Route("/static/code.css", code_css, name="code-css"),
        Mount("/static", StaticFiles(directory=root / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, token=token, loopback_only=loopback_only)],
        exception_handlers={404: dash.not_found},
    )
    app.state.dashboard = dash
    return app
