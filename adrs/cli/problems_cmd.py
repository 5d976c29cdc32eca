"""`adrs problems list|new|check`."""

from __future__ import annotations

from pathlib import Path

import click

from adrs.cli.output import emit_json, fmt, table
from adrs.errors import ProblemError
from adrs.problem.check import check_problem
from adrs.problem.loader import is_problem_dir, load_problem
from adrs.problem.scaffold import scaffold


@click.group("problems")
def problems() -> None:
    """List, scaffold and check problem folders."""


@problems.command("list")
@click.argument("directory", default="problems", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True)
def list_cmd(directory: str, as_json: bool) -> None:
    """Problem folders under DIRECTORY (default: ./problems)."""
    root = Path(directory)
    if not root.is_dir():
        raise ProblemError(f"{directory}: no such directory")
    rows = []
    for child in sorted(root.iterdir()):
        if child.is_dir() and is_problem_dir(child):
            try:
                p = load_problem(child)
            except ProblemError as exc:
                rows.append({"path": str(child), "name": child.name, "error": str(exc)})
                continue
            rows.append(
                {
                    "path": str(child),
                    "name": p.name,
                    "format": p.format,
                    "language": p.spec.language,
                    "metric": p.objective.metric,
                    "direction": p.objective.direction,
                    "description": p.spec.description,
                }
            )
    if as_json:
        emit_json(rows)
        return
    table(
        ["name", "format", "language", "objective", "path"],
        [
            [
                r["name"],
                r.get("format", "ERROR"),
                r.get("language", ""),
                f"{r.get('direction', '')} {r.get('metric', '')}" if "metric" in r else r["error"],
                r["path"],
            ]
            for r in rows
        ],
    )


@problems.command("new")
@click.argument("name")
@click.option(
    "--dir", "parent", default="problems", type=click.Path(file_okay=False), show_default=True
)
def new_cmd(name: str, parent: str) -> None:
    """Scaffold problems/NAME with commented templates of every file."""
    root = scaffold(name, Path(parent))
    click.echo(f"created {root}: edit the files, then run 'adrs problems check {root}'")


@problems.command("check")
@click.argument("directory", type=click.Path())
@click.option("--sandbox", default="auto", type=click.Choice(["auto", "process", "docker"]))
@click.option("--no-eval", is_flag=True, help="only validate the files")
@click.option("--json", "as_json", is_flag=True)
def check_cmd(directory: str, sandbox: str, no_eval: bool, as_json: bool) -> None:
    """Validate every part of DIRECTORY and evaluate its seed on each split."""
    report = check_problem(directory, sandbox=sandbox, evaluate=not no_eval)
    if as_json:
        emit_json(report.to_dict())
    else:
        for item in report.items:
            mark = "ok  " if item.ok else "FAIL"
            click.echo(f"{mark} {item.name}: {item.detail}")
            if item.metrics:
                click.echo(
                    "     " + ", ".join(f"{k}={fmt(v)}" for k, v in sorted(item.metrics.items()))
                )
    if not report.ok:
        failed = next(i for i in report.items if not i.ok)
        raise click.ClickException(f"{directory}: {failed.name}: {failed.detail}")
