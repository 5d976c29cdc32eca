"""`adrs runs`, `adrs best`, `adrs show`, `adrs validate` and `adrs upgrade`: the archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from adrs.archive import db as archive_db
from adrs.archive.store import Archive
from adrs.cli.output import emit_json, fmt, relative, table
from adrs.engine.validate import validate_run
from adrs.errors import ArchiveError

DB_HELP = "archive URL or SQLite path (default: $ADRS_DB or runs/archive.db)"


def _open(db: str | None) -> Archive:
    """An existing archive; a mistyped path is an error, not a new empty database."""
    return Archive(db, readonly=True)


@click.command("upgrade")
@click.option("--db", help=DB_HELP)
def upgrade_cmd(db: str | None) -> None:
    """Bring an existing archive's schema to this version of adrs."""
    url = archive_db.resolve_url(db)
    archive_db.make_engine(url, readonly=True).dispose()  # a missing file is an error here
    Archive(url).close()
    click.echo(f"archive {archive_db.safe_url(url)} is at revision {archive_db.head_revision()}")


@click.command("runs")
@click.option("--db", help=DB_HELP)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def runs_cmd(db: str | None, limit: int, as_json: bool) -> None:
    """List runs, newest first."""
    archive = _open(db)
    runs = archive.list_runs(limit)
    rows: list[dict[str, Any]] = []
    for r in runs:
        counts = archive.status_counts(r.id)
        rows.append(
            {
                "id": r.id,
                "problem": r.problem_name,
                "status": r.status,
                "iterations": r.iterations,
                "evaluations": r.evaluations,
                "seed_score": r.seed_score,
                "best_score": r.best_score,
                "metric": r.objective_metric,
                "direction": r.objective_direction,
                "cost_usd": r.cost_usd,
                "tokens_in": r.tokens_in,
                "tokens_out": r.tokens_out,
                "statuses": counts,
                "verified": r.verified,
                "sandbox": r.sandbox_backend,
                "created_at": r.created_at,
                "stop_reason": r.stop_reason,
            }
        )
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(f"no runs in {archive.url}")
        return
    table(
        [
            "run",
            "problem",
            "status",
            "iters",
            "evals",
            "seed",
            "best",
            "change",
            "cost",
            "tokens in/out",
            "started",
        ],
        [
            [
                r["id"],
                r["problem"],
                r["status"],
                r["iterations"],
                r["evaluations"],
                fmt(r["seed_score"]),
                fmt(r["best_score"]),
                relative(r["best_score"], r["seed_score"]),
                f"${r['cost_usd']:.2f}",
                f"{r['tokens_in']}/{r['tokens_out']}",
                r["created_at"].strftime("%Y-%m-%d %H:%M"),
            ]
            for r in rows
        ],
    )


@click.command("best")
@click.argument("run_id")
@click.option("--db", help=DB_HELP)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="write the best program's source here",
)
@click.option("--json", "as_json", is_flag=True)
def best_cmd(run_id: str, db: str | None, output: str | None, as_json: bool) -> None:
    """Show the best program of RUN_ID (or write it with -o)."""
    archive = _open(db)
    run = archive.get_run(run_id)
    if run.best_program_id is None:
        raise ArchiveError(f"run {run.id} has no successfully evaluated program")
    program = archive.get_program(run.best_program_id)
    if output:
        Path(output).write_text(program.source, encoding="utf-8")
    if as_json:
        emit_json({"run_id": run.id, **program.__dict__})
        return
    click.echo(
        f"run {run.id}: best {run.objective_metric} = {fmt(program.score)} "
        f"({relative(program.score, run.seed_score)} vs seed) "
        f"program {program.id} (iteration {program.seq})"
    )
    if output:
        click.echo(f"written to {output}")
    else:
        click.echo(program.source)


@click.command("show")
@click.argument("program_id")
@click.option("--db", help=DB_HELP)
@click.option("--json", "as_json", is_flag=True)
@click.option("--no-source", is_flag=True, help="leave out the program's code")
def show_cmd(program_id: str, db: str | None, as_json: bool, no_source: bool) -> None:
    """Show a program: outcome, evaluations, lineage, the call that made it, its code."""
    archive = _open(db)
    p = archive.get_program(program_id)
    evaluations = archive.evaluations(p.id)
    calls = archive.calls(p.id)
    edges = archive.lineage(p.id)
    if as_json:
        emit_json(
            {
                **p.__dict__,
                "evaluations": [
                    {k: v for k, v in e.__dict__.items() if not k.startswith("_")}
                    for e in evaluations
                ],
                "calls": [
                    {k: v for k, v in c.__dict__.items() if not k.startswith("_")} for c in calls
                ],
                "lineage": [{"parent_id": e.parent_id, "kind": e.kind} for e in edges],
            }
        )
        return
    click.echo(
        f"program {p.id} (run {p.run_id}, iteration {p.seq}, island {p.island}, "
        f"generation {p.generation})"
    )
    click.echo(
        f"state {p.state}, status {p.status or '-'}, score {fmt(p.score)}"
        + (f", complete {p.complete}" if p.state == "evaluated" else "")
    )
    if p.reason:
        click.echo(f"reason: {p.reason}")
    if p.mutation:
        click.echo(f"mutation: {p.mutation}")
    for edge in edges:
        click.echo(f"{edge.kind}: {edge.parent_id}")
    for c in calls:
        click.echo(
            f"call: model {c.model}, {c.tokens_in} in / {c.tokens_out} out tokens, "
            f"${c.cost_usd:.4f}, {c.latency_s:.2f} s, {c.attempts} attempt(s)"
            + (f", template {c.template}" if c.template else "")
            + (f", chosen: {c.choice_reason}" if c.choice_reason else "")
            + (f", error {c.error}" if c.error else "")
        )
    for e in evaluations:
        click.echo(
            f"evaluation [{e.purpose}] stage {e.stage} ({e.split}): {e.status} "
            f"score {fmt(e.score)} in {e.wall_s:.2f} s on {e.backend}"
            + (f" - {e.reason}" if e.reason else "")
        )
    if p.metrics:
        click.echo("metrics: " + ", ".join(f"{k}={fmt(v)}" for k, v in sorted(p.metrics.items())))
    if not no_source and p.source:
        click.echo("")
        click.echo(p.source)


@click.command("validate")
@click.argument("run_id")
@click.option("--db", help=DB_HELP)
@click.option("--top", type=click.IntRange(min=1), help="how many of the best programs")
@click.option("--json", "as_json", is_flag=True)
def validate_cmd(run_id: str, db: str | None, top: int | None, as_json: bool) -> None:
    """Evaluate the best programs (and the seed) on the held-out split and record it."""
    archive = _open(db)
    rows = validate_run(archive, run_id, top)
    if as_json:
        emit_json([r.__dict__ for r in rows])
        return
    table(
        ["program", "iteration", "search", "heldout", "status"],
        [
            [
                r.program_id[:12] + (" (seed)" if r.is_seed else ""),
                r.seq,
                fmt(r.search_score),
                fmt(r.heldout_score),
                r.status,
            ]
            for r in rows
        ],
    )
