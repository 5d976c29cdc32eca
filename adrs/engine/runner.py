"""Starting and resuming runs: the glue between a problem folder, settings and the engine."""

from __future__ import annotations

import asyncio
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adrs import __version__
from adrs.archive import db as archive_db
from adrs.archive.store import Archive
from adrs.engine.loop import Engine, Progress
from adrs.engine.settings import RunSettings, apply_overrides, settings_from_dict
from adrs.errors import AdrsError, NotAvailableError
from adrs.execute.base import Executor
from adrs.execute.inline import InlineExecutor
from adrs.execute.ray_executor import RayExecutor, ray_address
from adrs.mutate.base import AttachedMutator
from adrs.mutate.registry import make_mutator
from adrs.problem.check import EVALUATION_PROBES
from adrs.problem.loader import Problem, load_problem
from adrs.sandbox.select import choose_sandbox

Notify = Callable[[str], None]
# Executors register here by name; the inline one is always present.
EXECUTORS: dict[str, Callable[[RunSettings], Executor]] = {
    "inline": lambda s: InlineExecutor(s.evaluation_slots),
    "ray": lambda s: RayExecutor(s.evaluation_slots, ray_address(s.ray_address)),
}


@dataclass
class RunResult:
    run_id: str
    archive_url: str
    stop_reason: str
    seed_score: float | None
    best_score: float | None
    best_program_id: str | None
    evaluations: int
    elapsed_s: float
    rate: float
    metric: str = "score"  # the objective metric the scores are in


def make_executor(settings: RunSettings) -> Executor:
    factory = EXECUTORS.get(settings.executor)
    if factory is None:
        raise NotAvailableError(
            f"executor '{settings.executor}' is not available yet in this "
            "build (use --executor inline)"
        )
    return factory(settings)


def _drive(engine: Engine, archive: Archive, *, fresh: bool) -> RunResult:
    async def main() -> str:
        mutator = engine.mutator
        try:
            if isinstance(mutator, AttachedMutator):
                mutator.attach(engine.context, archive, engine.run_id)
            if fresh:
                await engine.evaluate_seed()
            else:
                await engine.restore(archive.programs(engine.run_id))
            return await engine.run()
        finally:
            engine.executor.close()
            if isinstance(mutator, AttachedMutator):
                await mutator.aclose()

    try:
        reason = asyncio.run(main())
    except KeyboardInterrupt:
        archive.update_run(engine.run_id, status="interrupted", stop_reason="interrupted")
        archive.add_event(engine.run_id, "interrupt", "interrupted; resume with adrs resume")
        raise
    except AdrsError as exc:
        archive.update_run(engine.run_id, status="failed", stop_reason=str(exc))
        archive.add_event(engine.run_id, "error", str(exc))
        raise
    from adrs.archive.models import utcnow

    completed = engine.next_seq > engine.settings.iterations and not engine.proposing
    archive.update_run(
        engine.run_id,
        status="finished" if completed else "stopped",
        stop_reason=reason,
        finished_at=utcnow(),
    )
    progress: Progress = engine.progress()
    return RunResult(
        run_id=engine.run_id,
        archive_url=archive.url,
        stop_reason=reason,
        seed_score=engine.seed_score,
        best_score=engine.best[1] if engine.best else None,
        best_program_id=engine.best[0] if engine.best else None,
        evaluations=engine.evaluated,
        elapsed_s=progress.elapsed_s,
        rate=progress.rate,
        metric=engine.objective.metric,
    )


def resolve_settings(problem: Problem, overrides: Mapping[str, Any]) -> RunSettings:
    """Defaults, then the problem's ``[settings]``, then ``overrides`` (config file, CLI)."""
    base = apply_overrides(
        RunSettings(), dict(problem.spec.settings), f"{problem.root / 'problem.toml'} [settings]"
    )
    chosen = dict(overrides)
    if chosen.get("ray_address") and "executor" not in chosen:
        chosen["executor"] = "ray"  # naming a cluster means evaluating on it
    return apply_overrides(base, chosen, "settings").check()


def refuse_unevaluable(problem: Problem, settings: RunSettings) -> None:
    """Raise at once when this machine cannot evaluate ``problem`` (a GPU problem without
    a GPU). On a Ray cluster (``ray_address``) the cluster's nodes do the evaluating."""
    if settings.ray_address:
        return
    for probe in EVALUATION_PROBES:
        why = probe(problem)
        if why is not None:
            raise NotAvailableError(
                f"{why}; run it where one is, or on a Ray cluster that has one (--ray-address)"
            )


def start_run(
    problem_dir: str | Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    db: str | None = None,
    notify: Notify | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> RunResult:
    """Create a run in the archive and evolve ``problem_dir``.

    ``overrides`` are setting names (see :class:`RunSettings`) with explicit values.
    """
    say = notify or (lambda _m: None)
    problem = load_problem(problem_dir)
    merged = resolve_settings(problem, overrides or {})
    refuse_unevaluable(problem, merged)
    sandbox, why = choose_sandbox(merged.sandbox, problem)
    mutator, explanation = make_mutator(merged.models, merged)
    executor = make_executor(merged)
    archive = Archive(db)
    say(f"problem: {problem.name} ({problem.root})")
    say(f"mutator: {explanation}")
    say(f"sandbox: {sandbox} ({why})")
    describe = getattr(executor, "describe", None)
    where = f" on the {describe()}" if describe is not None else ""
    say(f"executor: {executor.name} with {executor.slots} evaluation slots{where}")
    if not problem.independently_verified:
        say(
            "note: peer-format problem: its evaluator runs inside the sandbox; "
            "the run is marked not independently verified"
        )
    run_id = archive.create_run(
        problem_name=problem.name,
        problem_path=str(problem.root),
        problem_digest=problem.digest,
        objective_metric=problem.objective.metric,
        objective_direction=problem.objective.direction,
        settings=merged.to_dict(),
        status="running",
        verified=problem.independently_verified,
        sandbox_backend=sandbox,
        executor=executor.name,
        seed=merged.seed,
        iterations=0,
        evaluations=0,
        cost_usd=0.0,
        tokens_in=0,
        tokens_out=0,
        host=platform.node(),
        version=__version__,
    )
    archive.add_event(run_id, "start", f"run started: {explanation}; sandbox {sandbox} ({why})")
    say(f"run: {run_id} in {archive.url}")
    engine = Engine(
        run_id=run_id,
        problem=problem,
        settings=merged,
        archive=archive,
        mutator=mutator,
        executor=executor,
        sandbox=sandbox,
        on_progress=on_progress,
    )
    return _drive(engine, archive, fresh=True)


def resume_run(
    run_id: str,
    *,
    db: str | None = None,
    notify: Notify | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    iterations: int | None = None,
    budget_usd: float | None = None,
    max_llm_calls: int | None = None,
    ray_address: str | None = None,
) -> RunResult:
    """Continue a run from its archive, with the settings it was started with.

    ``iterations``, ``budget_usd`` and ``max_llm_calls`` raise the run's limits.
    ``ray_address`` evaluates this time on that Ray cluster; it is not kept in the run's
    settings, because where a run is continued says nothing about the run itself.
    """
    say = notify or (lambda _m: None)
    archive_db.require_existing(db)  # a mistyped --db is an error, not a new archive
    archive = Archive(db)
    run = archive.get_run(run_id)
    problem: Problem = load_problem(run.problem_path)
    if problem.digest != run.problem_digest:
        say(f"warning: problem folder {run.problem_path} changed since the run started")
        archive.add_event(run.id, "warning", "problem folder changed since the run started")
    settings = settings_from_dict(dict(run.settings), f"run {run.id} settings")
    refuse_unevaluable(problem, settings)
    raised = {
        name: value
        for name, value in (
            ("iterations", iterations),
            ("budget_usd", budget_usd),
            ("max_llm_calls", max_llm_calls),
        )
        if value is not None
    }
    if raised:
        settings = apply_overrides(settings, raised, "resume").check("resume")
        archive.update_run(run.id, settings=settings.to_dict())
    if ray_address is not None:
        where = {"ray_address": ray_address, "executor": "ray"}
        settings = apply_overrides(settings, where, "resume").check("resume")
    sandbox, _why = choose_sandbox(run.sandbox_backend or settings.sandbox, problem)
    mutator, explanation = make_mutator(settings.models, settings)
    executor = make_executor(settings)
    archive.update_run(run.id, status="running", stop_reason=None, finished_at=None)
    archive.add_event(run.id, "resume", f"resumed: {explanation}; sandbox {sandbox}")
    say(f"resuming run {run.id} ({problem.name}) in {archive.url}")
    say(f"mutator: {explanation}")
    engine = Engine(
        run_id=run.id,
        problem=problem,
        settings=settings,
        archive=archive,
        mutator=mutator,
        executor=executor,
        sandbox=sandbox,
        on_progress=on_progress,
    )
    engine.cost_usd = run.cost_usd
    engine.llm_calls = run.iterations
    engine.tokens_in, engine.tokens_out = run.tokens_in, run.tokens_out
    return _drive(engine, archive, fresh=False)
