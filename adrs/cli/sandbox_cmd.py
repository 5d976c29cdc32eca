"""`adrs sandbox build|prune|doctor`: images and housekeeping for the docker backend."""

from __future__ import annotations

import click

from adrs.cli.output import emit_json
from adrs.problem.loader import Problem, load_problem
from adrs.problem.spec import SandboxNeeds


@click.group("sandbox")
def sandbox() -> None:
    """Build sandbox images, remove leftover containers, diagnose the docker backend."""


def _problem(directory: str | None) -> Problem | None:
    return load_problem(directory) if directory else None


@sandbox.command("build")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--base", help="base image (default: $ADRS_SANDBOX_BASE or python:3.12-slim)")
@click.option("--tag", help="image name to build (default: the problem's [sandbox] image)")
@click.option("--quiet", "-q", is_flag=True, help="do not print the builder's output")
def build_cmd(directory: str | None, base: str | None, tag: str | None, quiet: bool) -> None:
    """Build the image of the problem in DIRECTORY (default: the default image, no packages)."""
    from adrs.sandbox.images import build_image, plan_build

    problem = _problem(directory)
    needs = problem.spec.sandbox if problem is not None else SandboxNeeds()
    source = str(problem.root / "problem.toml") if problem is not None else "defaults"
    plan = plan_build(needs, base, source)
    if tag:
        plan = type(plan)(tag, plan.base, plan.packages, plan.source)
    packages = " ".join(plan.packages) or "no extra packages"
    click.echo(f"building {plan.image} from {plan.base} ({packages})", err=True)
    image_id = build_image(plan, say=(lambda _m: None) if quiet else click.echo)
    click.echo(f"built {plan.image} ({image_id[:19]})")


@sandbox.command("prune")
@click.option("--run", "run_id", help="remove every container of this run, live or not")
@click.option("--all", "everything", is_flag=True, help="remove every ADRS sandbox container")
@click.option("--json", "as_json", is_flag=True)
def prune_cmd(run_id: str | None, everything: bool, as_json: bool) -> None:
    """Remove sandbox containers (and their host folders) left by processes that died."""
    from adrs.sandbox import engine
    from adrs.sandbox.reaper import reap, reap_orphans

    why = engine.engine_error()
    if why is not None:
        from adrs.errors import NotAvailableError

        raise NotAvailableError(f"docker: {why}")
    if everything:
        report = reap({})
    elif run_id:
        report = reap({engine.RUN_LABEL: run_id})
    else:
        report = reap_orphans()
    if as_json:
        emit_json(
            {"containers": report.containers, "folders": report.folders, "errors": report.errors}
        )
        return
    click.echo(f"removed {report.count} container(s), {len(report.folders)} host folder(s)")
    for error in report.errors:
        click.echo(f"could not remove {error}", err=True)


@sandbox.command("doctor")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--no-run", is_flag=True, help="skip the trial run in a real container")
@click.option("--json", "as_json", is_flag=True)
def doctor_cmd(directory: str | None, no_run: bool, as_json: bool) -> None:
    """Say what works for the docker backend, what is missing and the command that fixes it."""
    from adrs.sandbox.doctor import diagnose

    report = diagnose(_problem(directory), try_run=not no_run)
    if as_json:
        emit_json(report.to_dict())
    else:
        for f in report.findings:
            mark = "ok" if f.ok else ("MISSING" if f.required else "warning")
            click.echo(f"{mark:8} {f.name:14} {f.detail}")
            if f.fix and not f.ok:
                click.echo(f"{'':8} {'':14} fix: {f.fix}")
        verdict = "usable" if report.usable else "NOT usable (the process backend will be used)"
        click.echo(f"docker backend: {verdict}")
    if not report.usable:
        from adrs.errors import NotAvailableError

        failed = next(f for f in report.findings if f.required and not f.ok)
        raise NotAvailableError(f"docker sandbox not usable here: {failed.name}: {failed.detail}")
