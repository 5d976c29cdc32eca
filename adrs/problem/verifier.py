"""Host-side verifiers: a problem's trusted `verifier.py`, or the peer-format stand-in.

A case is a dict with a string ``id`` and a dict ``input`` (the keyword arguments the
candidate is called with); any other keys stay on the host for scoring and never enter the
sandbox.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from adrs.errors import ProblemError

Case = dict[str, Any]
Metrics = dict[str, float]


class Verifier(Protocol):
    """Trusted scoring of raw candidate outputs."""

    independent: bool  # False when the score comes from code that ran inside the sandbox

    def cases(self, split: str, seed: int) -> list[Case]: ...

    def score(self, case: Case, output: Any) -> Metrics: ...

    def combine(self, per_case: Sequence[Metrics]) -> Metrics: ...


def mean_combine(per_case: Sequence[Metrics]) -> Metrics:
    """Default aggregation: the mean of every metric that all cases report."""
    if not per_case:
        return {}
    keys = set(per_case[0])
    for m in per_case[1:]:
        keys &= set(m)
    return {k: math.fsum(m[k] for m in per_case) / len(per_case) for k in sorted(keys)}


def check_cases(cases: Any, where: str) -> list[Case]:
    """Validate what a verifier's ``cases()`` returned."""
    if not isinstance(cases, list) or not cases:
        raise ProblemError(f"{where}: cases() must return a non-empty list")
    seen: set[str] = set()
    for i, case in enumerate(cases):
        if not isinstance(case, dict):
            raise ProblemError(f"{where}: case #{i} is not a dict")
        cid = case.get("id")
        if not isinstance(cid, str) or not cid:
            raise ProblemError(f"{where}: case #{i} has no string 'id'")
        if cid in seen:
            raise ProblemError(f"{where}: case id {cid!r} appears twice")
        seen.add(cid)
        if not isinstance(case.get("input"), dict):
            raise ProblemError(f"{where}: case {cid!r} has no dict 'input'")
    return cases


class ModuleVerifier:
    """Wraps a problem's `verifier.py` module, with cached case generation."""

    independent = True

    def __init__(self, module: ModuleType, path: Path) -> None:
        self.module = module
        self.path = path
        for name in ("cases", "score"):
            if not callable(getattr(module, name, None)):
                raise ProblemError(f"{path}: defines no function '{name}'")
        self._combine = getattr(module, "combine", None)
        self._cache: dict[tuple[str, int], list[Case]] = {}
        self._lock = threading.Lock()

    def cases(self, split: str, seed: int) -> list[Case]:
        key = (split, seed)
        with self._lock:
            if key not in self._cache:
                try:
                    made = self.module.cases(split, seed)
                except Exception as exc:
                    raise ProblemError(
                        f"{self.path}: cases({split!r}, {seed}) raised {type(exc).__name__}: {exc}"
                    ) from exc
                self._cache[key] = check_cases(made, f"{self.path}: cases({split!r})")
            return self._cache[key]

    def score(self, case: Case, output: Any) -> Metrics:
        result = self.module.score(case, output)
        return dict(result)

    def combine(self, per_case: Sequence[Metrics]) -> Metrics:
        if self._combine is None:
            return mean_combine(per_case)
        return dict(self._combine(list(per_case)))


class PeerVerifier:
    """Stand-in for peer-format folders: `evaluator.py` runs inside the sandbox and its
    returned dict is taken as the metrics. Such runs are not independently verified."""

    independent = False

    def cases(self, split: str, seed: int) -> list[Case]:
        return [{"id": "evaluate", "input": {}}]

    def score(self, case: Case, output: Any) -> Metrics:
        from evaluators.verdict import InvalidOutput

        if not isinstance(output, dict):
            raise InvalidOutput(f"evaluate() returned {type(output).__name__}, not a dict")
        metrics = {
            k: float(v)
            for k, v in output.items()
            if isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        if "combined_score" not in metrics:
            raise InvalidOutput("evaluate() returned no numeric 'combined_score'")
        return metrics

    def combine(self, per_case: Sequence[Metrics]) -> Metrics:
        return dict(per_case[0]) if per_case else {}


_import_lock = threading.Lock()


def load_verifier_module(path: Path, unique: str) -> ModuleType:
    """Import a trusted `verifier.py` with its folder importable (for sibling helpers)."""
    name = f"adrs_verifier_{unique}"
    with _import_lock:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ProblemError(f"{path}: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        folder = str(path.parent)
        sys.path.insert(0, folder)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise ProblemError(f"{path}: import failed: {type(exc).__name__}: {exc}") from exc
        finally:
            if folder in sys.path:
                sys.path.remove(folder)
        sys.modules[name] = module
        return module


def takes_arguments(fn: Any, count: int) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= count or any(p.kind == p.VAR_POSITIONAL for p in params)
