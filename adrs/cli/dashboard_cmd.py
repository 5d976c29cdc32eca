"""`adrs dashboard`: serve the web dashboard over an archive, read-only."""

from __future__ import annotations

import contextlib

import click

DB_HELP = "archive URL or SQLite path (default: $ADRS_DB or runs/archive.db)"


@click.command("dashboard")
@click.option("--db", help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="port to listen on (0: any free port)",
)
@click.option("--token", help="require this token on every request (Bearer header or ?token=)")
def dashboard_cmd(db: str | None, host: str, port: int, token: str | None) -> None:
    """Browse runs, lineage, code diffs, prompts and costs in a web browser (read-only)."""
    # imported here so that other commands do not pay for the web stack
    from adrs.dashboard.app import create_app
    from adrs.dashboard.readonly import open_readonly
    from adrs.dashboard.security import is_loopback
    from adrs.dashboard.serve import address_of, bind, serve

    if token is not None and not token.strip():
        raise click.BadParameter("must not be empty", param_hint="'--token'")
    archive = open_readonly(db)  # fails early, with the archive's own error, before binding
    archive.engine.dispose()
    app = create_app(db, token=token, loopback_only=is_loopback(host))
    sock = bind(host, port)
    if archive.newer:
        click.echo(
            f"note: archive schema {archive.revision} was written by a newer adrs (this one "
            f"knows up to {archive.head}): pages show what this version knows of it",
            err=True,
        )
    elif archive.outdated:
        click.echo(
            f"note: archive schema {archive.revision} is older than {archive.head}: pages "
            "work, large runs are slower until `adrs upgrade --db URL` or a run upgrades it",
            err=True,
        )
    if not is_loopback(host) and token is None:
        click.echo(
            f"warning: listening on {host} without --token: anyone who can reach this "
            "machine can read the archive",
            err=True,
        )
    click.echo(f"dashboard: {address_of(sock)}/ (archive {archive.url}; Ctrl-C stops)")
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops cleanly, then passes it on
        serve(app, sock)
    click.echo("dashboard stopped")
