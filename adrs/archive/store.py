"""The archive's read and write operations, in terms of plain records.

The run's driver is the only writer; readers (CLI listings, dashboard) open their own
:class:`Archive`. Each write that must be atomic (a program with its LLM call and lineage;
an evaluation with its program's new state) is one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from adrs.archive import db
from adrs.archive.models import (
    Base,
    EvaluationRecord,
    Event,
    LineageEdge,
    LLMCall,
    Program,
    Run,
    utcnow,
)
from adrs.errors import ArchiveError
from adrs.evaluation.evaluate import Evaluation
from adrs.evaluation.status import ProgramState


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class CallRecord:
    """One mutator call (an LLM request, or an offline mutation recorded as model `offline`)."""

    model: str
    prompt: str = ""
    system_prompt: str = ""
    response: str = ""
    template: str | None = None
    choice_reason: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    error: str | None = None
    attempts: int = 1  # requests sent, retries included


@dataclass
class ProgramRecord:
    """A program row as plain data."""

    id: str
    run_id: str
    seq: int
    island: int
    generation: int
    source: str
    source_hash: str
    language: str
    state: str
    parent_id: str | None = None
    mutation: str | None = None
    status: str | None = None
    reason: str | None = None
    complete: bool = False
    score: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    features: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    evaluated_at: datetime | None = None


_PROGRAM_FIELDS = tuple(ProgramRecord.__dataclass_fields__)


def _program_record(row: Program) -> ProgramRecord:
    return ProgramRecord(**{name: getattr(row, name) for name in _PROGRAM_FIELDS})


class Archive:
    """A connection to one archive database (SQLite file or any SQLAlchemy URL)."""

    def __init__(self, url: str | None = None, *, readonly: bool = False) -> None:
        self.url = db.resolve_url(url)
        self.engine: Engine = db.make_engine(self.url, readonly=readonly)
        db.upgrade(self.engine, readonly=readonly)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def session(self) -> Session:
        return self._sessions()

    def _write(self, work: Any) -> Any:
        try:
            with self._sessions.begin() as s:
                return work(s)
        except OperationalError as exc:
            raise ArchiveError(
                f"archive {db.safe_url(self.url)}: write failed: {exc.orig}"
            ) from None

    # runs -----------------------------------------------------------------------------

    def create_run(self, **fields: Any) -> str:
        run_id = fields.pop("id", None) or new_id()[:12]
        now = utcnow()
        fields.setdefault("created_at", now)
        fields.setdefault("updated_at", now)
        self._write(lambda s: s.add(Run(id=run_id, **fields)))
        return run_id

    def update_run(self, run_id: str, **fields: Any) -> None:
        fields["updated_at"] = utcnow()
        self._write(lambda s: s.execute(update(Run).where(Run.id == run_id).values(**fields)))

    def get_run(self, run_id: str) -> Run:
        with self.session() as s:
            run = s.get(Run, run_id)
            if run is None:
                matches = s.scalars(select(Run).where(Run.id.startswith(run_id))).all()
                if len(matches) == 1:
                    return matches[0]
                if len(matches) > 1:
                    raise ArchiveError(f"run id prefix {run_id!r} is ambiguous")
                raise ArchiveError(f"no run {run_id!r} in archive {db.safe_url(self.url)}")
            return run

    def list_runs(self, limit: int = 100) -> list[Run]:
        with self.session() as s:
            return list(s.scalars(select(Run).order_by(Run.created_at.desc()).limit(limit)))

    def add_event(
        self, run_id: str, kind: str, message: str, data: dict[str, Any] | None = None
    ) -> None:
        self._write(
            lambda s: s.add(Event(run_id=run_id, kind=kind, message=message, data=data or {}))
        )

    def events(self, run_id: str) -> list[Event]:
        with self.session() as s:
            return list(s.scalars(select(Event).where(Event.run_id == run_id).order_by(Event.id)))

    # programs -------------------------------------------------------------------------

    def add_program(
        self,
        program: ProgramRecord,
        call: CallRecord | None = None,
        edges: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Store a proposed program with the call that produced it and its lineage edges."""

        def work(s: Session) -> None:
            s.add(
                Program(
                    **{
                        n: getattr(program, n)
                        for n in _PROGRAM_FIELDS
                        if n not in ("created_at",) and getattr(program, n) is not None
                    }
                )
            )
            s.flush()
            if call is not None:
                s.add(
                    LLMCall(
                        run_id=program.run_id,
                        program_id=program.id,
                        seq=program.seq,
                        **call.__dict__,
                    )
                )
            for parent_id, kind in dict.fromkeys(edges):
                s.add(LineageEdge(child_id=program.id, parent_id=parent_id, kind=kind))
            totals: dict[str, Any] = {
                # max(a, b) is not portable (PostgreSQL spells it greatest)
                "iterations": case(
                    (Run.iterations < program.seq, program.seq), else_=Run.iterations
                ),
                "updated_at": utcnow(),
            }
            if call is not None:
                totals["cost_usd"] = Run.cost_usd + call.cost_usd
                totals["tokens_in"] = Run.tokens_in + call.tokens_in
                totals["tokens_out"] = Run.tokens_out + call.tokens_out
            s.execute(update(Run).where(Run.id == program.run_id).values(**totals))

        self._write(work)

    def record_evaluation(
        self,
        program_id: str,
        run_id: str,
        evaluation: Evaluation,
        *,
        purpose: str = "search",
        features: dict[str, Any] | None = None,
        best: tuple[str, float] | None = None,
    ) -> None:
        """Store every stage of an evaluation and the program's outcome, atomically."""

        def work(s: Session) -> None:
            for st in evaluation.stages:
                s.add(
                    EvaluationRecord(
                        run_id=run_id,
                        program_id=program_id,
                        purpose=purpose,
                        stage=st.stage,
                        split=st.split,
                        status=str(st.status),
                        reason=st.reason,
                        score=st.score,
                        metrics=st.metrics,
                        cases=st.cases,
                        stdout_tail=st.stdout,
                        stderr_tail=st.stderr,
                        backend=st.backend,
                        wall_s=st.wall_s,
                        exit_code=st.exit_code,
                        limits=st.limits,
                    )
                )
            if purpose == "search":
                s.execute(
                    update(Program)
                    .where(Program.id == program_id)
                    .values(
                        state=str(ProgramState.EVALUATED),
                        status=str(evaluation.status),
                        reason=evaluation.reason or None,
                        complete=evaluation.complete,
                        score=evaluation.score,
                        metrics=evaluation.metrics,
                        features=features or {},
                        evaluated_at=utcnow(),
                    )
                )
                values: dict[str, Any] = {
                    "evaluations": Run.evaluations + 1,
                    "updated_at": utcnow(),
                }
                if best is not None:
                    values["best_program_id"], values["best_score"] = best
                s.execute(update(Run).where(Run.id == run_id).values(**values))

        self._write(work)

    def reject_program(
        self,
        program: ProgramRecord,
        call: CallRecord | None,
        edges: Iterable[tuple[str, str]],
        reason: str,
    ) -> None:
        program.state = str(ProgramState.REJECTED)
        program.reason = reason
        self.add_program(program, call, edges)

    def programs(
        self,
        run_id: str,
        *,
        states: Sequence[str] | None = None,
        order: str = "seq",
        limit: int | None = None,
    ) -> list[ProgramRecord]:
        with self.session() as s:
            q = select(Program).where(Program.run_id == run_id)
            if states:
                q = q.where(Program.state.in_(list(states)))
            if order == "seq":
                q = q.order_by(Program.seq)
            if limit is not None:
                q = q.limit(limit)
            return [_program_record(p) for p in s.scalars(q)]

    def get_program(self, program_id: str) -> ProgramRecord:
        with self.session() as s:
            row = s.get(Program, program_id)
            if row is None:
                rows = s.scalars(
                    select(Program).where(Program.id.startswith(program_id)).limit(2)
                ).all()
                if len(rows) != 1:
                    raise ArchiveError(
                        f"no program {program_id!r} in archive {db.safe_url(self.url)}"
                    )
                row = rows[0]
            return _program_record(row)

    def best_programs(self, run_id: str, direction: str, limit: int = 5) -> list[ProgramRecord]:
        order = Program.score.asc() if direction == "minimize" else Program.score.desc()
        with self.session() as s:
            q = (
                select(Program)
                .where(
                    Program.run_id == run_id, Program.complete.is_(True), Program.score.is_not(None)
                )
                .order_by(order, Program.seq)
                .limit(limit)
            )
            return [_program_record(p) for p in s.scalars(q)]

    def evaluations(self, program_id: str) -> list[EvaluationRecord]:
        with self.session() as s:
            q = (
                select(EvaluationRecord)
                .where(EvaluationRecord.program_id == program_id)
                .order_by(EvaluationRecord.id)
            )
            return list(s.scalars(q))

    def calls(self, program_id: str) -> list[LLMCall]:
        with self.session() as s:
            return list(s.scalars(select(LLMCall).where(LLMCall.program_id == program_id)))

    def lineage(self, program_id: str) -> list[LineageEdge]:
        with self.session() as s:
            return list(s.scalars(select(LineageEdge).where(LineageEdge.child_id == program_id)))

    def status_counts(self, run_id: str) -> dict[str, int]:
        with self.session() as s:
            rows = s.execute(
                select(Program.state, Program.status, func.count())
                .where(Program.run_id == run_id)
                .group_by(Program.state, Program.status)
            ).all()
        counts: dict[str, int] = {}
        for state, status, n in rows:
            key = str(status if state == ProgramState.EVALUATED else state)
            counts[key] = counts.get(key, 0) + n
        return counts


def check_metadata_matches(engine: Engine) -> list[Any]:
    """Differences between the models and the migrated schema (empty when in sync)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


__all__ = [
    "Archive",
    "ArchiveError",
    "CallRecord",
    "ProgramRecord",
    "SQLAlchemyError",
    "check_metadata_matches",
    "new_id",
]
