"""Errors a dashboard request can end in; each becomes a page (or JSON) with its status code."""

from __future__ import annotations

from adrs.errors import AdrsError


class RequestError(AdrsError):
    """A request the dashboard cannot answer; ``status`` is the HTTP status to reply with."""

    status = 400


class BadParameter(RequestError):
    """A query parameter is malformed or out of range; the message names it."""

    status = 400


class NotFound(RequestError):
    """The run or program asked for is not in the archive."""

    status = 404


class Unavailable(RequestError):
    """The archive could not be read (locked, gone, or the server is down)."""

    status = 503
