"""Prompts as Jinja2 templates: the package's own, overridable by a problem folder.

The package ships ``system``, ``diff``, ``rewrite``, ``crossover`` and ``fix`` templates in
``adrs/mutate/templates/``; a problem folder overrides any of them with a file of the same
name in its ``templates/`` folder. The variables every template sees are the fields of
:class:`PromptContext`, documented in the README ("Prompt templates"). The rendered text is
exactly what is sent and what the archive stores.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from adrs.errors import ConfigError
from adrs.mutate.base import MutationRequest, ProblemContext, ProgramView

PACKAGE_TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE_NAMES = ("system", "diff", "rewrite", "crossover", "fix")
USER_TEMPLATES = TEMPLATE_NAMES[1:]
OVERRIDE_DIR = "templates"


@dataclass(frozen=True)
class ProgramInfo:
    """A program as templates see it."""

    id: str
    code: str
    score: float | None
    metrics: dict[str, Any] = field(default_factory=dict)
    status: str | None = None
    reason: str | None = None
    cases: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, view: ProgramView) -> ProgramInfo:
        cases = view.feedback.get("cases") if isinstance(view.feedback, dict) else None
        return cls(
            id=view.id,
            code=view.source,
            score=view.score,
            metrics=dict(view.metrics),
            status=view.status,
            reason=view.reason,
            cases=list(cases or []),
        )


@dataclass(frozen=True)
class ProblemInfo:
    name: str
    description: str  # the problem's prompt.md, itself rendered as a template
    language: str
    metric: str
    direction: str  # "minimize" or "maximize"
    entry: str | None


@dataclass(frozen=True)
class PromptContext:
    """Every variable a template may use."""

    mode: str  # which template: diff, rewrite, crossover or fix
    problem: ProblemInfo
    parent: ProgramInfo
    inspirations: list[ProgramInfo]
    failures: list[ProgramInfo]  # recent failed or rejected proposals on this island
    second: ProgramInfo | None = None  # crossover: the other parent
    broken: ProgramInfo | None = None  # fix: the failed program to repair

    def variables(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def number(value: Any) -> str:
    """The ``num`` filter: a metric for a prompt, short, or "-" when there is none."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def context_variables() -> list[str]:
    """The names templates can use, for documentation and its test."""
    return list(PromptContext.__dataclass_fields__)


def _problem_info(problem: ProblemContext, env: jinja2.Environment) -> ProblemInfo:
    info = ProblemInfo(
        name=problem.name,
        description="",
        language=problem.language,
        metric=problem.metric,
        direction=problem.direction,
        entry=problem.entry,
    )
    try:
        description = env.from_string(problem.prompt).render(problem=info)
    except jinja2.TemplateError:
        # A peer-format prompt (a README) is plain text that may hold braces.
        description = problem.prompt
    return dataclasses.replace(info, description=description.strip())


class Prompts:
    """The templates for one problem; broken overrides fail when the run starts."""

    def __init__(self, root: Path | None = None) -> None:
        search = [str(PACKAGE_TEMPLATES)]
        self.overrides: list[str] = []
        if root is not None and (root / OVERRIDE_DIR).is_dir():
            search.insert(0, str(root / OVERRIDE_DIR))
            self.overrides = sorted(
                n for n in TEMPLATE_NAMES if (root / OVERRIDE_DIR / f"{n}.j2").is_file()
            )
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(search),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,  # prompts are plain text, not HTML
        )
        self.env.filters["num"] = number
        self._problem_env = jinja2.Environment(autoescape=False)
        self.templates = {name: self._load(name, search[0]) for name in TEMPLATE_NAMES}

    def _load(self, name: str, first: str) -> jinja2.Template:
        try:
            return self.env.get_template(f"{name}.j2")
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or f"{first}/{name}.j2"
            raise ConfigError(
                f"{where}:{exc.lineno}: template syntax error: {exc.message}"
            ) from None

    def context(
        self,
        mode: str,
        request: MutationRequest,
        *,
        second: ProgramView | None = None,
        broken: ProgramView | None = None,
    ) -> PromptContext:
        return PromptContext(
            mode=mode,
            problem=_problem_info(request.problem, self._problem_env),
            parent=ProgramInfo.of(request.parent),
            inspirations=[ProgramInfo.of(v) for v in request.inspirations],
            failures=[ProgramInfo.of(v) for v in request.failures],
            second=ProgramInfo.of(second) if second else None,
            broken=ProgramInfo.of(broken) if broken else None,
        )

    def render(self, context: PromptContext) -> tuple[str, str]:
        """The system prompt and the user prompt for ``context.mode``."""
        variables = context.variables()
        try:
            system = self.templates["system"].render(variables)
            prompt = self.templates[context.mode].render(variables)
        except jinja2.TemplateError as exc:
            raise ConfigError(f"prompt template '{context.mode}': {exc}") from None
        return system.strip() + "\n", prompt.strip() + "\n"
