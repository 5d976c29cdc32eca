"""What runs on a Ray worker: one evaluation (sandbox + trusted verifier), or a reap.

Each worker process keeps the problems it has unpacked and the sandbox backends it has
made, so that a stream of evaluations of one run pays for them once.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adrs.evaluation.evaluate import Evaluation, evaluate_source
from adrs.execute.bundle import unpack_problem
from adrs.problem.loader import Problem
from adrs.problem.spec import Stage
from adrs.sandbox.base import Sandbox
from adrs.sandbox.reap import PROGRAM_LABEL, RUN_LABEL, reap_here
from adrs.sandbox.select import make_sandbox

_problems: dict[str, Problem] = {}
_sandboxes: dict[str, Sandbox] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class ProblemBundle:
    """A problem folder by digest, with a reference to its packed bytes in Ray's object
    store (fetched only by a node that has not unpacked that digest yet)."""

    digest: str
    name: str
    packed: Any  # ray.ObjectRef[bytes]


def _problem(bundle: ProblemBundle) -> Problem:
    import ray

    with _lock:
        problem = _problems.get(bundle.digest)
        if problem is None:
            problem = unpack_problem(bundle.digest, lambda: bytes(ray.get(bundle.packed)))
            _problems[bundle.digest] = problem
        return problem


def _sandbox(name: str) -> Sandbox:
    with _lock:
        if name not in _sandboxes:
            _sandboxes[name] = make_sandbox(name, serving=True)
        return _sandboxes[name]


def evaluate_bundle(
    bundle: ProblemBundle,
    source: str,
    run_id: str,
    program_id: str,
    sandbox: str,
    stages: tuple[Stage, ...] | None,
) -> tuple[Evaluation, str]:
    """Evaluate one program here; returns the evaluation and this node's id."""
    import ray

    labels = {RUN_LABEL: run_id, PROGRAM_LABEL: program_id}
    evaluation = evaluate_source(_problem(bundle), source, _sandbox(sandbox), stages, labels)
    return evaluation, ray.get_runtime_context().get_node_id()


def reap_labels(backend: str, labels: Mapping[str, str]) -> int:
    """Remove this node's sandboxes of ``backend`` that carry all ``labels``."""
    return reap_here(backend, dict(labels))


@functools.cache
def remote_functions() -> tuple[Any, Any]:
    """The Ray remote wrappers of :func:`evaluate_bundle` and :func:`reap_labels`."""
    import ray

    return ray.remote(evaluate_bundle), ray.remote(reap_labels)
