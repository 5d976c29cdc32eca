"""`adrs problems check`: validate every part of a problem folder, then evaluate the seed."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from adrs.cuda.checks import check_cuda_seed, gpu_probe
from adrs.errors import AdrsError, ProblemError
from adrs.problem.loader import Problem, load_problem
from adrs.problem.spec import Stage
from evaluators import wire

# Language-specific seed checks: each returns (defects, a note on what it checked).
SEED_CHECKS: dict[str, Callable[[Problem], tuple[list[str], str]]] = {"cuda": check_cuda_seed}
# Whether a problem can be evaluated on this machine (None) or why not (a GPU is missing).
EVALUATION_PROBES: list[Callable[[Problem], str | None]] = [gpu_probe]


@dataclass
class CheckItem:
    name: str
    ok: bool
    detail: str = ""
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class CheckReport:
    path: str
    items: list[CheckItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(i.ok for i in self.items)

    def add(self, name: str, ok: bool, detail: str = "", **metrics: float) -> None:
        self.items.append(CheckItem(name, ok, detail, dict(metrics)))

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "items": [i.__dict__ for i in self.items]}


def _python_defines(path: Path, names: list[str]) -> str | None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        return f"{path}:{exc.lineno}: syntax error: {exc.msg}"
    defined = {
        n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    missing = [n for n in names if n not in defined]
    return f"{path}: defines no function '{missing[0]}'" if missing else None


def _check_structure(problem: Problem, report: CheckReport) -> None:
    spec = problem.spec
    report.add(
        "problem.toml",
        True,
        f"{spec.name}: {spec.objective.direction} "
        f"{spec.objective.metric}; stages {', '.join(s.name for s in spec.stages)}",
    )
    if spec.language == "python":
        needed = [spec.entry] if problem.mode == "function" and spec.entry else []
        defect = _python_defines(problem.seed_path, needed)
        report.add("seed program", defect is None, defect or str(problem.seed_path))
    else:
        check = SEED_CHECKS.get(spec.language)
        defects, note = check(problem) if check is not None else ([], "")
        detail = "; ".join(defects) or note or str(problem.seed_path)
        report.add("seed program", not defects, detail)
    if problem.driver_path is not None:
        defect = _python_defines(problem.driver_path, ["run"])
        report.add("driver.py", defect is None, defect or "defines run(candidate, case_input)")
    try:
        jinja2.Environment().parse(problem.prompt)
        report.add("prompt", True, f"{len(problem.prompt)} characters")
    except jinja2.TemplateSyntaxError as exc:
        report.add(
            "prompt",
            False,
            f"{problem.root / 'prompt.md'}:{exc.lineno}: template syntax error: {exc.message}",
        )


def _check_cases(problem: Problem, report: CheckReport) -> bool:
    verifier = problem.verifier
    seed = problem.spec.case_seed
    try:
        search = verifier.cases("search", seed)
        heldout = verifier.cases("heldout", seed)
    except ProblemError as exc:
        report.add("verifier cases", False, str(exc))
        return False
    shared = {wire.encode(c["input"]) for c in search} & {wire.encode(c["input"]) for c in heldout}
    if shared:
        report.add("splits", False, f"{len(shared)} cases appear in both search and heldout")
        return False
    for stage in problem.spec.stages:
        available = len(search if stage.split == "search" else heldout)
        if stage.cases is not None and stage.cases > available:
            report.add(
                "stages",
                False,
                f"stage '{stage.name}' asks for {stage.cases} cases "
                f"but the {stage.split} split has {available}",
            )
            return False
    report.add("verifier cases", True, f"{len(search)} search, {len(heldout)} heldout, disjoint")
    return True


def check_problem(path: str | Path, sandbox: str = "auto", evaluate: bool = True) -> CheckReport:
    """Validate a problem folder; with ``evaluate``, run the seed on each split."""
    from adrs.evaluation.evaluate import evaluate_source
    from adrs.sandbox.select import choose_sandbox, close_sandbox, make_sandbox

    report = CheckReport(str(path))
    try:
        problem = load_problem(path)
    except ProblemError as exc:
        report.add("folder", False, str(exc))
        return report
    report.add("folder", True, f"{problem.format} format")
    _check_structure(problem, report)
    try:
        if problem.format == "native" and not _check_cases(problem, report):
            return report
    except ProblemError as exc:
        report.add("verifier", False, str(exc))
        return report
    if not evaluate or not report.ok:
        return report
    for probe in EVALUATION_PROBES:
        why = probe(problem)
        if why is not None:
            report.add("evaluation", True, f"skipped: {why}")
            return report
    try:
        name, why = choose_sandbox(sandbox, problem)
        box = make_sandbox(name)
    except AdrsError as exc:
        report.add("sandbox", False, str(exc))
        return report
    plans: list[tuple[str, tuple[Stage, ...] | None]] = [("search", None)]
    if problem.format == "native":
        plans.append(("heldout", (Stage("heldout", "heldout"),)))
    try:
        for split, stages in plans:
            evaluation = evaluate_source(problem, problem.seed_source, box, stages)
            detail = f"{evaluation.status} on {name} sandbox ({why})"
            if evaluation.reason:
                detail += f": {evaluation.reason}"
            ok = evaluation.status == "ok" and evaluation.complete
            report.add(f"seed on {split}", ok, detail, **evaluation.metrics)
    finally:
        close_sandbox(box)
    return report
