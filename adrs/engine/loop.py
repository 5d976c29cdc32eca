"""The asynchronous steady-state loop: select, propose, patch, evaluate, admit.

Proposals (I/O bound) and evaluations (CPU bound) have separate limits and overlap; results
are taken as they complete. In *ordered* mode (the default when the mutator is
deterministic) results are admitted to the population in proposal order, and proposal
``i`` is selected from exactly the programs admitted through ``i - lag``: the archive's
contents then depend only on the problem, the seed and the settings, not on timing — and a
resumed run continues exactly as if it had never stopped.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adrs.archive.store import Archive, CallRecord, ProgramRecord, new_id
from adrs.engine.settings import RunSettings
from adrs.engine.tickets import Ticket, derive_seed
from adrs.errors import AdrsError
from adrs.evaluation.evaluate import Evaluation
from adrs.evaluation.status import ProgramState, Status
from adrs.execute.base import EvalTask, Executor
from adrs.mutate.base import (
    CostAware,
    LearningMutator,
    MutationRequest,
    Mutator,
    MutatorUnavailable,
    ProblemContext,
    ProgramView,
    Proposal,
)
from adrs.problem.loader import Problem
from adrs.search.features import compute_features
from adrs.search.member import Member
from adrs.search.population import Population, PopulationConfig
from adrs.search.selection import make_strategy
from adrs.source.fingerprint import fingerprint
from adrs.source.patch import apply_response

TICK_S = 1.0
INFRA_RETRIES = 3


class SeedFailed(AdrsError):
    """The seed program did not evaluate cleanly, so there is nothing to evolve from."""


@dataclass
class Progress:
    run_id: str
    proposed: int
    total: int
    evaluated: int
    in_flight: int
    statuses: dict[str, int]
    best: float | None
    seed: float | None
    cost_usd: float
    elapsed_s: float
    rate: float  # evaluations per second in this session
    llm_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    stop_reason: str | None = None
    notes: list[str] = field(default_factory=list)


def case_summary(
    evaluation: Evaluation, metric: str, direction: str, count: int = 3
) -> list[dict[str, Any]]:
    """The worst cases of the final stage, for the model's feedback."""
    cases = [c for c in evaluation.final.cases if metric in c.get("metrics", {})]
    cases.sort(key=lambda c: c["metrics"][metric], reverse=direction == "minimize")
    return [{"id": c["id"], metric: c["metrics"][metric]} for c in cases[:count]]


class Engine:
    def __init__(
        self,
        *,
        run_id: str,
        problem: Problem,
        settings: RunSettings,
        archive: Archive,
        mutator: Mutator,
        executor: Executor,
        sandbox: str,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.run_id = run_id
        self.problem = problem
        self.settings = settings
        self.archive = archive
        self.mutator = mutator
        self.executor = executor
        self.sandbox = sandbox
        self.on_progress = on_progress
        self.objective = problem.objective
        self.ordered = settings.ordered if settings.ordered is not None else mutator.deterministic
        self.lag = settings.proposal_slots + settings.evaluation_slots
        self.population = Population(
            PopulationConfig(
                islands=settings.islands,
                capacity=settings.island_capacity,
                dims=problem.spec.features,
                bins=settings.feature_bins,
                elite_size=settings.elite_size,
                exploration=settings.exploration,
                exploitation=settings.exploitation,
                inspirations_best=settings.inspirations_best,
                inspirations_diverse=settings.inspirations_diverse,
                migration_interval=settings.migration_interval,
                migration_count=settings.migration_count,
            )
        )
        self.strategy = make_strategy(
            settings.selection,
            alpha=settings.power_law_alpha,
            tournament_size=settings.tournament_size,
        )
        self.context = ProblemContext(
            name=problem.name,
            prompt=problem.prompt,
            language=problem.spec.language,
            metric=self.objective.metric,
            direction=self.objective.direction,
            entry=problem.spec.entry,
            root=problem.root,
        )
        self.known: dict[str, str] = {}  # fingerprint -> program id
        self.records: dict[str, ProgramRecord] = {}  # admitted-or-evaluated programs by id
        self.failures: dict[int, deque[ProgramView]] = {}
        self.next_seq = 1
        self.next_patch = 1
        self.admitted_through = 0
        self.open = 0  # selected tickets not yet admitted or rejected
        self.proposing: dict[asyncio.Future[Any], Ticket] = {}
        self.reserved: dict[asyncio.Future[Any], float] = {}  # dollars held per proposal
        self.evaluating: dict[asyncio.Future[Any], Ticket] = {}
        self.patch_buffer: dict[int, Ticket] = {}
        self.admit_buffer: dict[int, Ticket] = {}
        self.eval_queue: deque[Ticket] = deque()
        self.best: tuple[str, float] | None = None
        self.seed_score: float | None = None
        self.stop_reason: str | None = None
        self.statuses: Counter[str] = Counter()
        self.evaluated = 0
        self.session_evaluations = 0
        self.cost_usd = 0.0
        self.llm_calls = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.since_improvement = 0
        self.started = time.monotonic()

    # -- setup ---------------------------------------------------------------------------

    def _features(self, source: str, metrics: dict[str, float]) -> dict[str, float]:
        return compute_features(
            self.problem.spec.features, source, metrics, self.problem.spec.language
        )

    def _member(self, rec: ProgramRecord, evaluation: Evaluation | None = None) -> Member:
        assert rec.score is not None
        feedback: dict[str, Any] = {"status": rec.status, "reason": rec.reason}
        if evaluation is not None:
            feedback["cases"] = case_summary(
                evaluation, self.objective.metric, self.objective.direction
            )
        return Member(
            id=rec.id,
            seq=rec.seq,
            island=rec.island,
            generation=rec.generation,
            source=rec.source,
            score=rec.score,
            fitness=self.objective.fitness(rec.score),
            metrics=dict(rec.metrics),
            features=dict(rec.features),
            feedback=feedback,
        )

    def _note_best(self, rec: ProgramRecord) -> bool:
        if rec.score is None or not rec.complete or rec.status != Status.OK:
            return False
        if self.best is None or self.objective.better(rec.score, self.best[1]):
            self.best = (rec.id, rec.score)
            return True
        return False

    def _apply_evaluation(self, rec: ProgramRecord, evaluation: Evaluation) -> None:
        rec.state = str(ProgramState.EVALUATED)
        rec.status = str(evaluation.status)
        rec.reason = evaluation.reason or None
        rec.complete = evaluation.complete
        rec.score = evaluation.score
        rec.metrics = dict(evaluation.metrics)
        rec.features = self._features(rec.source, rec.metrics)

    async def evaluate_seed(self) -> None:
        """Store and evaluate the seed program (proposal 0); it must pass every stage."""
        source = self.problem.seed_source
        rec = ProgramRecord(
            id=new_id(),
            run_id=self.run_id,
            seq=0,
            island=0,
            generation=0,
            source=source,
            source_hash=fingerprint(source, self.problem.spec.language),
            language=self.problem.spec.language,
            state=str(ProgramState.PENDING),
            mutation="seed",
        )
        self.archive.add_program(rec)
        self.archive.update_run(self.run_id, seed_program_id=rec.id)
        await self._finish_seed(rec)

    async def _finish_seed(self, rec: ProgramRecord) -> None:
        attempts = 0
        while True:
            try:
                evaluation = await self.executor.evaluate(self._task(rec))
                break
            except Exception as exc:
                attempts += 1
                self._infrastructure_failure(rec, attempts, exc)
        self._record(rec, evaluation)
        if not evaluation.complete or evaluation.status is not Status.OK:
            why = evaluation.reason or str(evaluation.status)
            raise SeedFailed(
                f"seed program {self.problem.seed_path} failed evaluation: "
                f"{evaluation.status}: {why}"
            )
        self.seed_score = rec.score
        self.archive.update_run(self.run_id, seed_score=rec.score)
        self._admit_seed(rec, evaluation)

    def _admit_seed(self, rec: ProgramRecord, evaluation: Evaluation | None) -> None:
        self.known.setdefault(rec.source_hash, rec.id)
        self.records[rec.id] = rec
        self.population.admit(self._member(rec, evaluation), everywhere=True)
        self.seed_score = rec.score
        self._note_best(rec)

    async def restore(self, programs: list[ProgramRecord]) -> None:
        """Rebuild the state of a run from its archive: nothing lost, nothing twice."""
        by_seq = {p.seq: p for p in programs}
        seed = by_seq.get(0)
        if seed is None:
            await self.evaluate_seed()
        elif seed.state == ProgramState.PENDING:
            await self._finish_seed(seed)
        else:
            self._admit_seed(seed, None)
        last = max(by_seq) if by_seq else 0
        self.next_seq = self.next_patch = last + 1
        missing = [seq for seq in range(1, last + 1) if seq not in by_seq]
        if missing:
            self.archive.add_event(
                self.run_id,
                "resume",
                f"{len(missing)} proposals were lost before being recorded",
                {"missing": missing},
            )
        for p in programs:
            if p.source_hash:
                self.known.setdefault(p.source_hash, p.id)
            if p.state == ProgramState.EVALUATED:
                self.evaluated += 1
                self.statuses[p.status or "?"] += 1
                self._note_best(p)
            elif p.state == ProgramState.REJECTED:
                self.statuses["rejected"] += 1
        for seq in range(1, last + 1):
            rec = by_seq.get(seq)
            parent = self.records.get(rec.parent_id) if rec and rec.parent_id else None
            ticket = Ticket(seq=seq, island=rec.island if rec else 0, parent=None, program=rec)
            if parent is not None and parent.score is not None:
                ticket.parent = self._member(parent)
            self.open += 1
            if rec is None or rec.state == ProgramState.REJECTED:
                ticket.rejected = True
                self.admit_buffer[seq] = ticket
            elif rec.state == ProgramState.EVALUATED:
                self.records[rec.id] = rec
                self.admit_buffer[seq] = ticket
            else:
                self.eval_queue.append(ticket)
            self._drain_admissions()
        if self.eval_queue:
            self.archive.add_event(
                self.run_id,
                "resume",
                f"re-queued {len(self.eval_queue)} pending evaluations",
                {"pending": [t.seq for t in self.eval_queue]},
            )

    # -- the loop ------------------------------------------------------------------------

    async def run(self) -> str:
        self.started = time.monotonic()
        try:
            while True:
                self._fill()
                waiting: set[asyncio.Future[Any]] = {*self.proposing, *self.evaluating}
                if not waiting:
                    break
                done, _ = await asyncio.wait(
                    waiting, timeout=TICK_S, return_when=asyncio.FIRST_COMPLETED
                )
                for fut in done:
                    if fut in self.proposing:
                        self._on_proposal(fut)
                    else:
                        self._on_evaluation(fut)
                self._drain()
                self._check_stop()
                self._report()
        finally:
            for fut in [*self.proposing, *self.evaluating]:
                fut.cancel()
        if self.stop_reason is None:
            self.stop_reason = f"completed {self.settings.iterations} iterations"
        self._report()
        return self.stop_reason

    def _can_select(self) -> bool:
        return (
            self.stop_reason is None
            and self.next_seq <= self.settings.iterations
            and len(self.proposing) < self.settings.proposal_slots
            and self.open < self.lag
            and self._within_limits()
        )

    def _next_cost(self) -> float:
        return self.mutator.cost_ceiling() if isinstance(self.mutator, CostAware) else 0.0

    def _within_limits(self) -> bool:
        """Whether one more call fits the call limit and the budget, counting the calls in
        flight at their ceiling; when none is in flight and it does not fit, stop."""
        s = self.settings
        if s.max_llm_calls is not None and self.llm_calls + len(self.proposing) >= s.max_llm_calls:
            if not self.proposing:
                self._stop(f"limit of {s.max_llm_calls} model calls reached")
            return False
        if s.budget_usd is not None:
            ceiling = self._next_cost()
            held = sum(self.reserved.values())
            if self.cost_usd + held + ceiling > s.budget_usd:
                if not self.proposing:
                    self._stop(
                        f"budget of ${s.budget_usd:g} reached: ${self.cost_usd:.4f} spent and "
                        f"the next call may cost up to ${ceiling:.4f}"
                    )
                return False
        return True

    def _fill(self) -> None:
        while self._can_select():
            ticket = self._select(self.next_seq)
            self.next_seq += 1
            self.open += 1
            ceiling = self._next_cost() if self.settings.budget_usd is not None else 0.0
            proposing = asyncio.ensure_future(self.mutator.propose(self._request(ticket)))
            self.proposing[proposing] = ticket
            self.reserved[proposing] = ceiling
        while self.eval_queue and len(self.evaluating) < self.settings.evaluation_slots:
            ticket = self.eval_queue.popleft()
            assert ticket.program is not None
            evaluating = asyncio.ensure_future(self.executor.evaluate(self._task(ticket.program)))
            self.evaluating[evaluating] = ticket

    def _select(self, seq: int) -> Ticket:
        island = seq % self.settings.islands
        rng = random.Random(derive_seed(self.settings.seed, seq, "select"))
        parent, inspirations = self.population.select(island, rng, self.strategy)
        return Ticket(seq=seq, island=island, parent=parent, inspirations=inspirations)

    def _view(self, m: Member) -> ProgramView:
        return ProgramView(
            id=m.id,
            source=m.source,
            score=m.score,
            metrics=m.metrics,
            status=m.feedback.get("status"),
            reason=m.feedback.get("reason"),
            feedback=m.feedback,
        )

    def _request(self, ticket: Ticket) -> MutationRequest:
        assert ticket.parent is not None
        failures = tuple(self.failures.get(ticket.island, ()))
        return MutationRequest(
            seq=ticket.seq,
            island=ticket.island,
            problem=self.context,
            parent=self._view(ticket.parent),
            inspirations=tuple(self._view(m) for m in ticket.inspirations),
            failures=failures[-self.settings.failures_in_prompt :] if failures else (),
            rng_seed=derive_seed(self.settings.seed, ticket.seq, "mutate"),
        )

    def _task(self, rec: ProgramRecord) -> EvalTask:
        return EvalTask(
            problem=self.problem,
            source=rec.source,
            run_id=self.run_id,
            program_id=rec.id,
            sandbox=self.sandbox,
        )

    def _on_proposal(self, fut: asyncio.Future[Any]) -> None:
        ticket = self.proposing.pop(fut)
        self.reserved.pop(fut, None)
        try:
            ticket.proposal = fut.result()
        except MutatorUnavailable as exc:
            self._stop(f"mutator unavailable: {exc}")
            call = exc.call or CallRecord(model="?")
            call.error = call.error or str(exc)
            ticket.proposal = Proposal("", call)
        except Exception as exc:  # a failed call is recorded, never fatal to the run
            ticket.proposal = Proposal(
                "", CallRecord(model="?", error=f"{type(exc).__name__}: {exc}")
            )
        call = ticket.proposal.call
        self.llm_calls += 1
        self.cost_usd += call.cost_usd
        self.tokens_in += call.tokens_in
        self.tokens_out += call.tokens_out
        self.patch_buffer[ticket.seq] = ticket

    def _patch(self, ticket: Ticket) -> None:
        proposal, parent = ticket.proposal, ticket.parent
        assert proposal is not None and parent is not None
        language = self.problem.spec.language
        rec = ProgramRecord(
            id=new_id(),
            run_id=self.run_id,
            seq=ticket.seq,
            island=ticket.island,
            generation=parent.generation + 1,
            source="",
            source_hash="",
            language=language,
            state=str(ProgramState.PENDING),
            parent_id=parent.id,
            mutation=proposal.mutation or None,
        )
        edges = [(parent.id, "parent")]
        edges += [(m.id, "inspiration") for m in ticket.inspirations]
        edges += [(pid, "crossover") for pid in proposal.crossover_ids]
        # A fix edits a failed program rather than the parent.
        base = proposal.base.source if proposal.base is not None else parent.source
        if proposal.base is not None:
            edges.append((proposal.base.id, "fix"))
        ticket.program = rec
        outcome = apply_response(base, proposal.response)
        reason = None
        if outcome.source is None:
            reason = proposal.call.error or outcome.error or "no change proposed"
        else:
            rec.source = outcome.source
            rec.source_hash = fingerprint(outcome.source, language)
            if rec.source_hash == fingerprint(base, language):
                what = "the program it fixes" if proposal.base is not None else "its parent"
                reason = f"no-op: the child is the same program as {what}"
            elif rec.source_hash in self.known:
                reason = f"duplicate of program {self.known[rec.source_hash]}"
        if reason is not None:
            self.archive.reject_program(rec, proposal.call, edges, reason)
            ticket.rejected = True
            self.statuses["rejected"] += 1
            self._remember_failure(ticket.island, rec, reason)
            if isinstance(self.mutator, LearningMutator):
                self.mutator.observe(proposal, parent.score, None, False)
            self.admit_buffer[ticket.seq] = ticket
            return
        self.known[rec.source_hash] = rec.id
        self.archive.add_program(rec, proposal.call, edges)
        self.eval_queue.append(ticket)

    def _on_evaluation(self, fut: asyncio.Future[Any]) -> None:
        ticket = self.evaluating.pop(fut)
        rec = ticket.program
        assert rec is not None
        try:
            evaluation = fut.result()
        except Exception as exc:
            ticket.attempts += 1
            self._infrastructure_failure(rec, ticket.attempts, exc)
            self.eval_queue.appendleft(ticket)
            return
        ticket.evaluation = evaluation
        self._record(rec, evaluation)
        if isinstance(self.mutator, LearningMutator) and ticket.proposal is not None:
            parent_score = ticket.parent.score if ticket.parent else None
            improved = (
                rec.score is not None
                and parent_score is not None
                and self.objective.better(rec.score, parent_score)
            )
            self.mutator.observe(ticket.proposal, parent_score, rec.score, improved)
        self.admit_buffer[ticket.seq] = ticket

    def _infrastructure_failure(self, rec: ProgramRecord, attempts: int, exc: Exception) -> None:
        """Record an executor fault; returns when the evaluation may be tried again."""
        if isinstance(exc, AdrsError):  # the user's setup, not a transient fault
            raise exc
        self.archive.add_event(
            self.run_id,
            "infrastructure",
            f"evaluation of program {rec.id} failed "
            f"(attempt {attempts}): {type(exc).__name__}: {exc}",
        )
        if attempts >= INFRA_RETRIES:
            raise AdrsError(
                f"evaluation infrastructure failed {INFRA_RETRIES} times: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def _record(self, rec: ProgramRecord, evaluation: Evaluation) -> None:
        self._apply_evaluation(rec, evaluation)
        improved = self._note_best(rec)
        self.archive.record_evaluation(
            rec.id,
            self.run_id,
            evaluation,
            features=rec.features,
            best=self.best if improved else None,
        )
        self.records[rec.id] = rec
        self.evaluated += 1
        self.session_evaluations += 1
        self.statuses[str(evaluation.status)] += 1

    def _remember_failure(self, island: int, rec: ProgramRecord, reason: str) -> None:
        size = max(1, self.settings.failures_in_prompt)
        queue = self.failures.setdefault(island, deque(maxlen=size))
        queue.append(
            ProgramView(
                id=rec.id,
                source=rec.source,
                score=None,
                status=rec.status or "rejected",
                reason=reason,
            )
        )

    def _drain(self) -> None:
        if self.ordered:
            while self.next_patch in self.patch_buffer:
                self._patch(self.patch_buffer.pop(self.next_patch))
                self.next_patch += 1
        else:
            for seq in sorted(self.patch_buffer):
                self._patch(self.patch_buffer.pop(seq))
        self._drain_admissions()

    def _selections_done(self) -> bool:
        return self.stop_reason is not None or self.next_seq > self.settings.iterations

    def _drain_admissions(self) -> None:
        if not self.ordered:
            for seq in sorted(self.admit_buffer):
                self._admit(self.admit_buffer.pop(seq))
            return
        while True:
            seq = self.admitted_through + 1
            if seq not in self.admit_buffer:
                return
            # Proposal seq + lag - 1 must have been selected before seq is admitted, so that
            # every selection sees exactly the admissions through its own seq - lag.
            if seq + self.lag - 1 >= self.next_seq and not self._selections_done():
                return
            self._admit(self.admit_buffer.pop(seq))

    def _admit(self, ticket: Ticket) -> None:
        self.open -= 1
        self.admitted_through = max(self.admitted_through, ticket.seq)
        rec = ticket.program
        if ticket.rejected or rec is None:
            return
        if rec.complete and rec.status == Status.OK and rec.score is not None:
            admission = self.population.admit(self._member(rec, ticket.evaluation))
            self.since_improvement = 0 if admission.improved_global else self.since_improvement + 1
            if admission.migrated:
                self.archive.add_event(
                    self.run_id,
                    "migration",
                    f"{len(admission.migrated)} programs migrated between islands",
                    {"moves": [list(m) for m in admission.migrated]},
                )
        else:
            self.since_improvement += 1
            self._remember_failure(rec.island, rec, rec.reason or str(rec.status))

    # -- stopping and progress -----------------------------------------------------------

    def _stop(self, reason: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
            self.archive.add_event(self.run_id, "stop", reason)

    def _check_stop(self) -> None:
        s = self.settings
        elapsed = time.monotonic() - self.started
        if s.max_wall_s is not None and elapsed >= s.max_wall_s:
            self._stop(f"wall-time limit of {s.max_wall_s:g} s reached")
        if (
            s.target_score is not None
            and self.best is not None
            and not self.objective.better(s.target_score, self.best[1])
        ):
            self._stop(f"target score {s.target_score:g} reached ({self.best[1]:.6g})")
        if s.patience is not None and self.since_improvement >= s.patience:
            self._stop(f"no improvement in {s.patience} admitted programs")
        if s.budget_usd is not None and self.cost_usd >= s.budget_usd:
            self._stop(f"budget of ${s.budget_usd:g} spent (${self.cost_usd:.4f})")
        if s.max_llm_calls is not None and self.llm_calls >= s.max_llm_calls:
            self._stop(f"limit of {s.max_llm_calls} model calls reached")

    def progress(self) -> Progress:
        elapsed = time.monotonic() - self.started
        return Progress(
            run_id=self.run_id,
            proposed=self.next_seq - 1,
            total=self.settings.iterations,
            evaluated=self.evaluated,
            in_flight=len(self.proposing) + len(self.evaluating),
            statuses=dict(self.statuses),
            best=self.best[1] if self.best else None,
            seed=self.seed_score,
            cost_usd=self.cost_usd,
            elapsed_s=elapsed,
            rate=self.session_evaluations / elapsed if elapsed > 0 else 0.0,
            llm_calls=self.llm_calls,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            stop_reason=self.stop_reason,
        )

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress())
