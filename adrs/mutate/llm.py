"""The language-model mutator: pick a template and a model, ask, account for the call.

Each proposal renders one of the prompt templates (diff, full rewrite, crossover of two
parents, or fixing a recently failed program), asks the model the ensemble picks, and
returns the response for the engine to patch. Every call - failed, empty or truncated
included - becomes a :class:`CallRecord` with its exact prompt, tokens, dollars, latency,
attempts and the reason the model was chosen. API keys never enter a record.
"""

from __future__ import annotations

import ast
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from adrs.archive.store import Archive, CallRecord
from adrs.errors import ConfigError
from adrs.llm.client import ChatClient
from adrs.llm.keys import redact
from adrs.llm.prices import PriceTable
from adrs.llm.retry import CallFailed, RetryPolicy, call_with_retries
from adrs.llm.spec import ModelSpec
from adrs.mutate.base import (
    MutationRequest,
    MutatorUnavailable,
    ProblemContext,
    ProgramView,
    Proposal,
)
from adrs.mutate.ensemble import Ensemble, relative_gain
from adrs.mutate.history import replay
from adrs.mutate.prompts import Prompts

FIXABLE = frozenset({"error", "invalid_output", "timeout", "memory", "output_limit"})
FIRST_PROMPT_TOKENS = 8000  # the prompt size assumed before any call has been measured


@dataclass(frozen=True)
class TemplateRates:
    """How often each template other than ``diff`` is used (when it applies)."""

    fix: float = 0.1
    crossover: float = 0.1
    rewrite: float = 0.1


def _as_code(text: str, language: str) -> str:
    """Fence an unfenced whole program so that the patch step takes it as a rewrite."""
    if "```" in text or "<<<<<<<" in text or not text.strip():
        return text
    if language == "python":
        try:
            ast.parse(text)
        except SyntaxError:
            return text
        if "def " not in text and "EVOLVE-BLOCK" not in text:
            return text
    elif "EVOLVE-BLOCK-START" not in text:
        return text
    return f"```{language}\n{text.rstrip()}\n```\n"


class LLMMutator:
    """Proposes children with language models; learns which model pays off when asked."""

    name = "llm"
    deterministic = False  # answers depend on remote models and on timing

    def __init__(
        self,
        ensemble: Ensemble,
        make_client: Callable[[ModelSpec], ChatClient],
        prices: PriceTable,
        policy: RetryPolicy,
        *,
        rates: TemplateRates | None = None,
        max_output_tokens: int = 8192,
        secrets: list[str] | None = None,
    ) -> None:
        self.ensemble = ensemble
        self.make_client = make_client
        self.prices = prices
        self.policy = policy
        self.rates = rates or TemplateRates()
        self.max_output_tokens = max_output_tokens
        self.secrets = list(secrets or [])
        self.clients: dict[str, ChatClient] = {}
        self.prompts = Prompts()
        self.archive: Archive | None = None
        self.run_id: str | None = None
        self.language = "python"
        self.max_prompt_tokens = 0

    # -- the run -------------------------------------------------------------------------

    def attach(self, problem: ProblemContext, archive: Archive, run_id: str) -> None:
        """Load the problem's templates and replay what the archive says about each model."""
        self.prompts = Prompts(problem.root)
        self.language = problem.language
        self.archive, self.run_id = archive, run_id
        for arm in self.ensemble.arms:  # SDK imports happen now, not in a call's latency
            self._client(arm.spec)
        if self.prompts.overrides:
            self._event("prompts", f"templates overridden by the problem: {self.prompts.overrides}")
        restored = replay(self.ensemble, archive, run_id, problem.direction)
        if restored:
            self._event("models", f"model statistics restored from {restored} recorded calls")

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.close()
        self.clients.clear()

    def _event(self, kind: str, message: str) -> None:
        if self.archive is not None and self.run_id is not None:
            self.archive.add_event(self.run_id, kind, message)

    def cost_ceiling(self) -> float:
        """The most the next call can cost: the dearest active model, at the longest prompt
        seen so far (with a margin) and the full output-token limit."""
        prompt = (
            int(self.max_prompt_tokens * 1.25) if self.max_prompt_tokens else FIRST_PROMPT_TOKENS
        )
        return max(
            (
                self.prices.cost(arm.spec, prompt, self.max_output_tokens)
                for arm in self.ensemble.active()
            ),
            default=0.0,
        )

    # -- proposing -----------------------------------------------------------------------

    def _template(
        self, request: MutationRequest, rng: random.Random
    ) -> tuple[str, ProgramView | None, ProgramView | None]:
        """The template, the crossover partner and the program to fix.

        Each template has its share of the draws; a draw for one that does not apply (no
        failed program to fix, no inspiration to cross with) falls back to ``diff``.
        """
        draw = rng.random()
        fixable = [f for f in request.failures if f.source.strip() and f.status in FIXABLE]
        if draw < self.rates.fix:
            return ("fix", None, fixable[-1]) if fixable else ("diff", None, None)
        draw -= self.rates.fix
        if draw < self.rates.crossover:
            if request.inspirations:
                return "crossover", rng.choice(request.inspirations), None
            return "diff", None, None
        draw -= self.rates.crossover
        return ("rewrite" if draw < self.rates.rewrite else "diff"), None, None

    def _client(self, spec: ModelSpec) -> ChatClient:
        if spec.key not in self.clients:
            self.clients[spec.key] = self.make_client(spec)
        return self.clients[spec.key]

    async def propose(self, request: MutationRequest) -> Proposal:
        rng = random.Random(request.rng_seed)
        mode, second, broken = self._template(request, rng)
        try:
            arm, why = self.ensemble.choose(rng)
        except LookupError:
            raise MutatorUnavailable("every model is benched after repeated failures") from None
        try:
            system, prompt = self.prompts.render(
                self.prompts.context(mode, request, second=second, broken=broken)
            )
        except ConfigError as exc:  # an override that fails every time: stop, do not spin
            raise MutatorUnavailable(str(exc)) from None
        started = time.perf_counter()
        call = CallRecord(
            model=arm.key,
            prompt=prompt,
            system_prompt=system,
            template=mode,
            choice_reason=why,
        )
        try:
            answer = await call_with_retries(
                self._client(arm.spec), system, prompt, self.policy, rng
            )
        except CallFailed as exc:
            call.error = redact(str(exc), self.secrets)
            call.attempts = exc.attempts
        else:
            done = answer.completion
            call.attempts = answer.attempts
            call.response = done.text
            call.tokens_in, call.tokens_out = done.tokens_in, done.tokens_out
            call.cost_usd = self.prices.cost(arm.spec, done.tokens_in, done.tokens_out)
            self.max_prompt_tokens = max(self.max_prompt_tokens, done.tokens_in)
            if done.truncated:
                call.error = (
                    f"response truncated at the {self.max_output_tokens}-token output limit"
                )
            elif not done.text.strip():
                call.error = "empty response"
        call.latency_s = time.perf_counter() - started
        return self._proposal(call, mode, second, broken)

    def _proposal(
        self,
        call: CallRecord,
        mode: str,
        second: ProgramView | None,
        broken: ProgramView | None,
    ) -> Proposal:
        benched = self.ensemble.record_call(call.model, call.cost_usd, call.error is not None)
        if benched is not None:
            message = f"model {call.model} benched: {benched}; last error: {call.error}"
            if not self.ensemble.active():
                raise MutatorUnavailable(
                    f"{message}; no model left (the run can be resumed once the endpoint works)",
                    call,
                )
            self._event("model", message)
        return Proposal(
            response="" if call.error else _as_code(call.response, self.language),
            call=call,
            mutation=f"llm:{mode}",
            crossover_ids=(second.id,) if second else (),
            base=broken,
        )

    def observe(
        self,
        proposal: Proposal,
        parent_score: float | None,
        child_score: float | None,
        improved: bool,
    ) -> None:
        gain = relative_gain(parent_score, child_score, improved)
        self.ensemble.observe(proposal.call.model, gain)
