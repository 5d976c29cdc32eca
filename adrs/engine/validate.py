"""Held-out validation: re-evaluate a run's best programs on cases the search never saw."""

from __future__ import annotations

from dataclasses import dataclass

from adrs.archive.store import Archive
from adrs.engine.settings import settings_from_dict
from adrs.evaluation.evaluate import evaluate_source
from adrs.problem.loader import load_problem
from adrs.problem.spec import Stage
from adrs.sandbox.select import choose_sandbox, open_sandbox


@dataclass
class ValidationRow:
    program_id: str
    seq: int
    search_score: float | None
    heldout_score: float | None
    status: str
    reason: str
    is_seed: bool


def validate_run(archive: Archive, run_id: str, top: int | None = None) -> list[ValidationRow]:
    """Evaluate the seed and the ``top`` best programs on every held-out case; record each."""
    run = archive.get_run(run_id)
    problem = load_problem(run.problem_path)
    settings = settings_from_dict(dict(run.settings), f"run {run.id} settings")
    count = top if top is not None else settings.validate_top
    name, _why = choose_sandbox(run.sandbox_backend or settings.sandbox, problem)
    with open_sandbox(name) as sandbox:
        chosen = archive.best_programs(run.id, run.objective_direction, limit=count)
        if run.seed_program_id and all(p.id != run.seed_program_id for p in chosen):
            chosen.append(archive.get_program(run.seed_program_id))
        stage = (Stage("heldout", "heldout"),)
        rows = []
        for program in chosen:
            evaluation = evaluate_source(
                problem,
                program.source,
                sandbox,
                stage,
                {"adrs.run": run.id, "adrs.program": program.id},
            )
            archive.record_evaluation(program.id, run.id, evaluation, purpose="validation")
            rows.append(
                ValidationRow(
                    program_id=program.id,
                    seq=program.seq,
                    search_score=program.score,
                    heldout_score=evaluation.score,
                    status=str(evaluation.status),
                    reason=evaluation.reason,
                    is_seed=program.id == run.seed_program_id,
                )
            )
    archive.add_event(
        run.id,
        "validation",
        f"validated {len(rows)} programs on the heldout split",
        {"rows": [r.__dict__ for r in rows]},
    )
    return rows
