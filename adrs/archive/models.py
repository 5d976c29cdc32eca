"""The archive's tables: runs, programs, lineage, LLM calls, evaluations and events.

Every attempt is kept, including rejected patches and failed evaluations, so that a run can
be inspected, resumed and compared. Types are portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class SafeText(TypeDecorator[str]):
    """Text that every backend accepts: PostgreSQL refuses NUL characters (a candidate's
    output or a model's response may hold them), so they are stored as U+FFFD."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return value.replace("\x00", "\ufffd") if value else value


class Base(DeclarativeBase):
    pass


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    problem_name: Mapped[str] = mapped_column(String(200))
    problem_path: Mapped[str] = mapped_column(SafeText)
    problem_digest: Mapped[str] = mapped_column(String(64))
    objective_metric: Mapped[str] = mapped_column(String(200))
    objective_direction: Mapped[str] = mapped_column(String(16))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32), index=True)
    stop_reason: Mapped[str | None] = mapped_column(SafeText)
    verified: Mapped[bool] = mapped_column(Boolean)
    sandbox_backend: Mapped[str] = mapped_column(String(32))
    executor: Mapped[str] = mapped_column(String(32))
    seed: Mapped[int] = mapped_column(Integer)
    seed_program_id: Mapped[str | None] = mapped_column(String(32))
    seed_score: Mapped[float | None] = mapped_column(Float)
    best_program_id: Mapped[str | None] = mapped_column(String(32))
    best_score: Mapped[float | None] = mapped_column(Float)
    iterations: Mapped[int] = mapped_column(Integer, default=0)
    evaluations: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Program(Base):
    __tablename__ = "programs"
    __table_args__ = (
        UniqueConstraint("run_id", "seq", name="uq_programs_run_seq"),
        Index("ix_programs_run_hash", "run_id", "source_hash"),
        Index("ix_programs_run_score", "run_id", "score"),
        Index("ix_programs_run_state", "run_id", "state"),
        # dashboard read paths (migration 0003_dashboard)
        Index("ix_programs_run_seq_score", "run_id", "seq", "score", "island"),
        Index("ix_programs_run_state_status", "run_id", "state", "status"),
        Index("ix_programs_parent_seq", "parent_id", "seq"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # proposal order; the seed program is 0
    island: Mapped[int] = mapped_column(Integer)
    generation: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[str | None] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(SafeText)
    source_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    mutation: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))  # pending, evaluated, rejected
    status: Mapped[str | None] = mapped_column(String(32))  # evaluation status when evaluated
    reason: Mapped[str | None] = mapped_column(SafeText)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    features: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LineageEdge(Base):
    __tablename__ = "lineage"

    child_id: Mapped[str] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    parent_id: Mapped[str] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # parent, inspiration or crossover
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)


class LLMCall(Base):
    __tablename__ = "llm_calls"
    __table_args__ = (
        Index("ix_llm_calls_run_model", "run_id", "model", "cost_usd", "tokens_in", "tokens_out"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[str | None] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(200))
    choice_reason: Mapped[str | None] = mapped_column(SafeText)
    template: Mapped[str | None] = mapped_column(String(64))
    system_prompt: Mapped[str] = mapped_column(SafeText, default="")
    prompt: Mapped[str] = mapped_column(SafeText, default="")
    response: Mapped[str] = mapped_column(SafeText, default="")
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    latency_s: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(SafeText)
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvaluationRecord(Base):
    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_run_purpose", "run_id", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[str] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(16))  # search, validation, check
    stage: Mapped[str] = mapped_column(String(64))
    split: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(SafeText, default="")
    score: Mapped[float | None] = mapped_column(Float)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    stdout_tail: Mapped[str] = mapped_column(SafeText, default="")
    stderr_tail: Mapped[str] = mapped_column(SafeText, default="")
    backend: Mapped[str] = mapped_column(String(32))
    wall_s: Mapped[float] = mapped_column(Float)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    limits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(SafeText)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
