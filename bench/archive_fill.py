"""Fill a run's archive with evaluated variants of its seed, standing in for a long run.

Each variant carries the seed's real evaluation, with its objective replaced by the given
score where one is given; the engine then resumes over an archive of that size.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from adrs.archive.store import Archive, ProgramRecord, new_id
from adrs.evaluation.evaluate import Evaluation, StageResult
from adrs.evaluation.status import ProgramState, Status
from adrs.source.fingerprint import fingerprint


def fill(db: str, run_id: str, variants: Sequence[tuple[str, float | None]]) -> None:
    """Add one evaluated program per ``(source, score)``; a None score keeps the seed's."""
    archive = Archive(db)
    run = archive.get_run(run_id)
    seed = archive.programs(run_id)[0]
    stages = [
        StageResult(
            stage=row.stage,
            split=row.split,
            status=Status(row.status),
            reason=row.reason,
            metrics=dict(row.metrics),
            score=row.score,
            cases=list(row.cases),
            backend=row.backend,
            wall_s=row.wall_s,
            limits=dict(row.limits),
        )
        for row in archive.evaluations(seed.id)
    ]
    for i, (source, score) in enumerate(variants):
        evaluation = Evaluation(
            stages=[
                stage
                if score is None
                else dataclasses.replace(
                    stage, score=score, metrics={**stage.metrics, run.objective_metric: score}
                )
                for stage in stages
            ],
            complete=True,
        )
        rec = ProgramRecord(
            id=new_id(),
            run_id=run_id,
            seq=i + 1,
            island=(i + 1) % 2,
            generation=1,
            source=source,
            source_hash=fingerprint(source, "python"),
            language="python",
            state=str(ProgramState.PENDING),
            parent_id=seed.id,
        )
        archive.add_program(rec, None, [(seed.id, "parent")])
        archive.record_evaluation(rec.id, run_id, evaluation, features={"complexity": 1.0})
    archive.close()
