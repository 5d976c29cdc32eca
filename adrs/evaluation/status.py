"""Evaluation statuses: failure is a status with a reason, never a magic metric value."""

from enum import StrEnum


class Status(StrEnum):
    """Outcome of evaluating one program on one stage."""

    OK = "ok"
    INVALID_OUTPUT = "invalid_output"  # ran, but the verifier rejected an output
    ERROR = "error"  # raised, failed to load, or exited early
    TIMEOUT = "timeout"  # wall-clock deadline or CPU-time limit
    MEMORY = "memory"  # memory limit reached
    OUTPUT_LIMIT = "output_limit"  # output channel, stdout/stderr or file size cap
    TAMPERED = "tampered"  # output channel or timing inconsistent with the host's view


class ProgramState(StrEnum):
    """Where a program stands in the pipeline; kept in the archive."""

    PENDING = "pending"  # proposed and stored, evaluation not finished
    EVALUATED = "evaluated"  # evaluation finished (its status says how it went)
    REJECTED = "rejected"  # never evaluated: patch failed, no-op or duplicate
