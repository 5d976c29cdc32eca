"""Serving the dashboard with uvicorn on a socket we bind ourselves.

Binding first turns a busy port or a bad address into a one-line error before anything
starts, and lets ``--port 0`` pick a free port whose address is then printed.
"""

from __future__ import annotations

import socket

import uvicorn
from starlette.types import ASGIApp

from adrs.errors import AdrsError


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise AdrsError(f"dashboard: cannot resolve host {host!r}: {exc.strerror}") from None
    family, _type, _proto, _name, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted connections inherit this: a response's head and body go out at once instead
    # of the body waiting ~40 ms for the client's delayed acknowledgement of the head
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise AdrsError(f"dashboard: cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def address_of(sock: socket.socket) -> str:
    """The ``http://host:port`` a bound socket answers on."""
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(app: ASGIApp, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` until interrupted."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
