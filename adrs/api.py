"""A small Python API mirroring the CLI, for notebooks and scripts."""

from __future__ import annotations

from typing import Any

from adrs.archive.store import Archive, ProgramRecord
from adrs.engine.loop import Progress
from adrs.engine.runner import RunResult, resume_run, start_run
from adrs.engine.validate import ValidationRow, validate_run
from adrs.errors import ArchiveError
from adrs.problem.check import CheckReport, check_problem
from adrs.problem.loader import Problem, load_problem

__all__ = [
    "Problem",
    "Progress",
    "RunResult",
    "best_program",
    "check",
    "load_problem",
    "programs",
    "resume",
    "run",
    "runs",
    "validate",
]


def run(
    problem_dir: str, *, db: str | None = None, on_progress: Any = None, **settings: Any
) -> RunResult:
    """Evolve ``problem_dir``; keyword arguments are run settings (see RunSettings)."""
    return start_run(problem_dir, settings, db=db, on_progress=on_progress)


def resume(
    run_id: str,
    *,
    db: str | None = None,
    on_progress: Any = None,
    iterations: int | None = None,
    budget_usd: float | None = None,
    max_llm_calls: int | None = None,
    ray_address: str | None = None,
) -> RunResult:
    """Continue ``run_id`` (``adrs resume``); the limits given raise the run's own."""
    return resume_run(
        run_id,
        db=db,
        on_progress=on_progress,
        iterations=iterations,
        budget_usd=budget_usd,
        max_llm_calls=max_llm_calls,
        ray_address=ray_address,
    )


def runs(db: str | None = None) -> list[dict[str, Any]]:
    archive = Archive(db, readonly=True)
    return [{c.name: getattr(r, c.name) for c in r.__table__.columns} for r in archive.list_runs()]


def programs(run_id: str, db: str | None = None) -> list[ProgramRecord]:
    archive = Archive(db, readonly=True)
    return archive.programs(archive.get_run(run_id).id)


def best_program(run_id: str, db: str | None = None) -> ProgramRecord:
    archive = Archive(db, readonly=True)
    run_row = archive.get_run(run_id)
    if run_row.best_program_id is None:
        raise ArchiveError(f"run {run_row.id} has no successfully evaluated program")
    return archive.get_program(run_row.best_program_id)


def validate(run_id: str, top: int | None = None, db: str | None = None) -> list[ValidationRow]:
    return validate_run(Archive(db, readonly=True), run_id, top)


def check(problem_dir: str, sandbox: str = "auto") -> CheckReport:
    return check_problem(problem_dir, sandbox=sandbox)
