"""Evaluate one program: run each cascade stage in the sandbox, judge, and score on the host.

This is the function an executor runs (in a thread, or on a Ray worker). It never raises
for anything the candidate does; failures come back as a :class:`Status` with a reason.
"""

from __future__ import annotations

import math
import os
import secrets
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adrs.evaluation.channel import ChannelReport, parse_channel
from adrs.evaluation.status import Status
from adrs.problem.loader import Problem
from adrs.problem.spec import Stage
from adrs.problem.verifier import Case
from adrs.sandbox.base import Sandbox, SandboxJob, SandboxResult
from evaluators import wire
from evaluators.verdict import InvalidOutput, Tampered

CANDIDATE_NAMES = {"python": "candidate.py", "cuda": "candidate.cu"}
# Device time a case claims (``device_s`` metric) may exceed the host-observed wall time
# of that case by this much before it counts as forged.
DEVICE_TIME_SLACK_S = 0.01


@dataclass
class StageResult:
    """One stage's outcome, as recorded in the archive's evaluations table."""

    stage: str
    split: str
    status: Status
    reason: str
    metrics: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    cases: list[dict[str, Any]] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    backend: str = ""
    wall_s: float = 0.0
    exit_code: int | None = None
    limits: dict[str, Any] = field(default_factory=dict)


@dataclass
class Evaluation:
    """All stages run for one program; ``complete`` when every stage ran and passed."""

    stages: list[StageResult]
    complete: bool
    verified: bool = True

    @property
    def final(self) -> StageResult:
        return self.stages[-1]

    @property
    def status(self) -> Status:
        return self.final.status

    @property
    def reason(self) -> str:
        return self.final.reason

    @property
    def score(self) -> float | None:
        return self.final.score if self.complete else None

    @property
    def metrics(self) -> dict[str, float]:
        return self.final.metrics


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def judge(result: SandboxResult, report: ChannelReport, expected: int) -> tuple[Status, str] | None:
    """Status and reason for a run that failed, or None when every case produced output."""
    limits = result.applied
    # The candidate runs in a process of its own under the harness; how that one ended is
    # what says what it did (a CPU or file-size limit's signal, its exit code).
    code = report.candidate_exit if report.candidate_exit is not None else result.exit_code
    if report.tampering:
        return Status.TAMPERED, "; ".join(report.tampering[:3])
    if result.timed_out:
        return Status.TIMEOUT, f"exceeded the wall-clock limit of {limits.get('timeout_s')} s"
    if code is not None and code == -signal.SIGXCPU:
        return Status.TIMEOUT, f"exceeded the CPU-time limit of {limits.get('cpu_s')} s"
    if result.output_truncated:
        return Status.OUTPUT_LIMIT, (f"output channel exceeded {limits.get('output_bytes')} bytes")
    if code is not None and code == -signal.SIGXFSZ:
        return Status.OUTPUT_LIMIT, (
            f"a file exceeded the size limit of {limits.get('file_size_bytes')} bytes"
        )
    if result.log_overflow:
        return Status.OUTPUT_LIMIT, f"{result.log_overflow} flooded past its cap and was cut"
    memory = result.oom_killed or report.load_memory or any(c.memory for c in report.cases)
    if memory:
        return Status.MEMORY, f"exceeded the memory limit of {limits.get('memory_mb')} MB"
    if report.load_error is not None:
        return Status.ERROR, f"candidate failed to load: {report.load_error}"
    for frame in report.cases:
        if not frame.ok:
            if frame.error.startswith("OutputNotSerializable"):
                return Status.INVALID_OUTPUT, f"case {frame.id}: {frame.error}"
            return Status.ERROR, f"case {frame.id} raised {frame.error}"
    if len(report.cases) < expected:
        how = f"code {code}" if code is None or code >= 0 else _signal_name(code)
        if not report.started:
            return Status.ERROR, f"harness did not start (exited with {how})"
        return Status.ERROR, (
            f"exited with {how} before producing output for "
            f"{expected - len(report.cases)} of {expected} cases"
        )
    return None


def _finite_metrics(raw: Mapping[str, Any]) -> dict[str, float]:
    out = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidOutput(f"metric {key!r} is not a number")
        if not math.isfinite(value):
            raise InvalidOutput(f"metric {key!r} is not finite ({value})")
        out[str(key)] = float(value)
    return out


def hidden_paths(problem: Problem) -> tuple[Path, ...]:
    """What the candidate must not see: the problem folder (verifier, held-out data) and
    the real-data directory."""
    paths = [problem.root]
    data = os.environ.get("ADRS_DATA_DIR")
    if data and Path(data).is_dir():
        paths.append(Path(data).resolve())
    return tuple(paths)


def build_job(
    problem: Problem,
    source: str,
    cases: Sequence[Case],
    nonce: str,
    labels: Mapping[str, str] | None = None,
) -> SandboxJob:
    """The sandbox job for one stage: candidate, public case inputs, harness job document."""
    candidate = CANDIDATE_NAMES[problem.spec.language]
    lines = [wire.encode({"id": c["id"], "input": c["input"]}) for c in cases]
    files: dict[str, bytes] = {candidate: source.encode("utf-8")}
    document: dict[str, Any] = {
        "mode": problem.mode,
        "candidate": candidate,
        "entry": problem.spec.entry,
        "seed": problem.spec.case_seed,
        "language": problem.spec.language,
    }
    trees = {}
    if problem.driver_path is not None:
        files["driver.py"] = problem.driver_path.read_bytes()
        document["driver"] = "driver.py"
    if problem.mode == "peer":
        trees["problem"] = problem.root
        document["problem_dir"] = "problem"
    if problem.kernel_path is not None:
        files["kernel.py"] = problem.kernel_path.read_bytes()
        document["kernel"] = "kernel.py"
    return SandboxJob(
        files=files,
        job=document,
        limits=problem.spec.limits,
        trees=trees,
        labels=dict(labels or {}),
        image=problem.spec.sandbox.image,
        gpu=problem.spec.sandbox.gpu,
        hidden=hidden_paths(problem),
        secret_input="\n".join([nonce, *lines, ""]).encode("utf-8"),
    )


def run_stage(
    problem: Problem,
    source: str,
    stage: Stage,
    sandbox: Sandbox,
    labels: Mapping[str, str] | None = None,
) -> StageResult:
    verifier = problem.verifier
    cases = verifier.cases(stage.split, problem.spec.case_seed)
    if stage.cases is not None:
        cases = cases[: stage.cases]
    nonce = secrets.token_hex(16)
    job = build_job(problem, source, cases, nonce, labels)
    result = sandbox.run(job)
    report = parse_channel(
        result.output,
        nonce=nonce,
        expected_ids=[c["id"] for c in cases],
        window=(result.started, result.finished),
    )
    stage_result = StageResult(
        stage=stage.name,
        split=stage.split,
        status=Status.OK,
        reason="",
        stdout=result.stdout,
        stderr=result.stderr,
        backend=result.backend,
        wall_s=result.wall_s,
        exit_code=result.exit_code,
        limits=dict(result.applied),
    )
    per_case = [{"id": f.id, "elapsed_s": f.elapsed_s} for f in report.cases]
    stage_result.cases = per_case
    verdict = judge(result, report, len(cases))
    if verdict is not None:
        stage_result.status, stage_result.reason = verdict
        return stage_result
    scored: list[dict[str, float]] = []
    for case, frame, record in zip(cases, report.cases, per_case, strict=True):
        try:
            metrics = _finite_metrics(verifier.score(case, frame.output))
            if metrics.get("device_s", 0.0) > frame.elapsed_s + DEVICE_TIME_SLACK_S:
                raise Tampered(
                    f"claims {metrics['device_s']:.3f} s of device time in "
                    f"{frame.elapsed_s:.3f} s of wall time"
                )
        except Exception as exc:  # a verifier rejecting odd output may raise anything
            tampered = isinstance(exc, Tampered)
            stage_result.status = Status.TAMPERED if tampered else Status.INVALID_OUTPUT
            detail = str(exc) if isinstance(exc, InvalidOutput) else f"{type(exc).__name__}: {exc}"
            stage_result.reason = f"case {case['id']}: {detail}"[:2000]
            record["error"] = stage_result.reason
            return stage_result
        metrics.setdefault("elapsed_s", frame.elapsed_s)
        record["metrics"] = metrics
        scored.append(metrics)
    try:
        combined = _finite_metrics(verifier.combine(scored))
    except Exception as exc:
        stage_result.status = Status.INVALID_OUTPUT
        stage_result.reason = f"combine() rejected the outputs: {type(exc).__name__}: {exc}"
        return stage_result
    metric = problem.objective.metric
    if metric not in combined:
        stage_result.status = Status.ERROR
        stage_result.reason = f"verifier reported no objective metric {metric!r}"
        return stage_result
    stage_result.metrics = combined
    stage_result.score = combined[metric]
    if not verifier.independent:
        stage_result.reason = "scored by the problem's own evaluator (not independently verified)"
    return stage_result


def evaluate_source(
    problem: Problem,
    source: str,
    sandbox: Sandbox,
    stages: Sequence[Stage] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Evaluation:
    """Run the cascade; stop at the first failed stage or a stage below its threshold."""
    plan = list(stages if stages is not None else problem.spec.stages)
    results: list[StageResult] = []
    complete = True
    for index, stage in enumerate(plan):
        result = run_stage(problem, source, stage, sandbox, labels)
        results.append(result)
        if result.status is not Status.OK:
            complete = False
            break
        last = index == len(plan) - 1
        if not last and stage.threshold is not None and result.score is not None:
            objective = problem.objective
            if objective.better(stage.threshold, result.score):
                result.reason = (
                    f"score {result.score:.6g} did not reach stage threshold {stage.threshold:g}"
                )
                complete = False
                break
    return Evaluation(stages=results, complete=complete, verified=problem.verifier.independent)
