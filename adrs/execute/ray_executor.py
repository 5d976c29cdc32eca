"""The Ray executor: each evaluation is a Ray task with resource annotations.

A task asks for one CPU, one unit of the custom ``sandbox`` resource (a node runs no more
sandboxes at once than it declares) and, for GPU problems, one GPU. The problem folder
travels through Ray's object store, so nodes need no shared filesystem. Ray does not retry
tasks itself: a lost worker or node surfaces here as an exception, after this executor has
removed any sandbox the lost worker left behind, and the engine retries the evaluation (a
candidate's own failure is a status in the result, never an exception, so it is never
retried).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
from collections import Counter
from collections.abc import Mapping
from typing import Any

from adrs.errors import NotAvailableError
from adrs.evaluation.evaluate import Evaluation
from adrs.execute import ray_cluster
from adrs.execute.base import EvalTask
from adrs.execute.bundle import pack_problem
from adrs.execute.ray_worker import ProblemBundle, remote_functions
from adrs.problem.loader import Problem
from adrs.sandbox.reap import PROGRAM_LABEL, RUN_LABEL, backend_can_reap

REAP_TIMEOUT_S = 60.0


class EvaluationLost(RuntimeError):
    """The worker or node running an evaluation died; the evaluation may be retried."""


class WorkerFault(RuntimeError):
    """Evaluation code (not the candidate) raised on a Ray worker."""


def _line(exc: BaseException, *, last: bool = False) -> str:
    """One line of an exception's message (Ray's run to whole tracebacks)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if last else lines[0]


def ray_address(configured: str | None) -> str | None:
    """The cluster to join: the setting, else ``$RAY_ADDRESS``, else None (embedded Ray)."""
    return configured or os.environ.get("RAY_ADDRESS") or None


class RayExecutor:
    """Runs evaluations as Ray tasks on the embedded local Ray or a joined cluster."""

    name = "ray"

    def __init__(self, slots: int, address: str | None = None) -> None:
        self.slots = slots
        self.session = ray_cluster.connect(address, slots)
        self.placements: Counter[str] = Counter()  # node id -> evaluations finished there
        self._bundles: dict[str, ProblemBundle] = {}
        self._in_flight: set[Any] = set()
        # Per run, the first reap of that run's leftovers: done once it has finished.
        self._run_reaps: dict[str, concurrent.futures.Future[None]] = {}
        self._reapable: dict[str, bool] = {}

    def describe(self) -> str:
        return self.session.describe()

    # -- submission ----------------------------------------------------------------------

    def _bundle(self, problem: Problem) -> ProblemBundle:
        bundle = self._bundles.get(problem.digest)
        if bundle is None:
            import ray

            packed = ray.put(pack_problem(problem))
            bundle = ProblemBundle(digest=problem.digest, name=problem.name, packed=packed)
            self._bundles[problem.digest] = bundle
        return bundle

    def _options(self, problem: Problem) -> dict[str, Any]:
        options: dict[str, Any] = {
            "num_cpus": 1,
            "resources": {ray_cluster.SANDBOX_RESOURCE: 1},
            "max_retries": 0,  # the engine retries, and records why
            "retry_exceptions": False,
        }
        if problem.spec.sandbox.gpu:
            if self.session.gpus < 1:
                raise NotAvailableError(
                    f"problem {problem.name} needs a GPU, and the {self.session.describe()} "
                    "has none"
                )
            options["num_gpus"] = 1
        return options

    async def evaluate(self, task: EvalTask) -> Evaluation:
        from ray.exceptions import RayError, RayTaskError

        options = self._options(task.problem)
        await self._reap_leftovers(task)
        evaluate_remote, _ = remote_functions()
        ref = evaluate_remote.options(**options).remote(
            self._bundle(task.problem),
            task.source,
            task.run_id,
            task.program_id,
            task.sandbox,
            task.stages,
        )
        self._in_flight.add(ref)
        try:
            outcome: tuple[Evaluation, str] = await asyncio.wrap_future(ref.future())
        except asyncio.CancelledError:
            self._cancel(ref)
            raise
        except RayTaskError as exc:
            cause = exc.cause if isinstance(exc.cause, BaseException) else exc
            raise WorkerFault(
                f"evaluating program {task.program_id} raised on a Ray worker: "
                f"{type(cause).__name__}: {_line(cause, last=True)}"
            ) from exc
        except RayError as exc:
            labels = {RUN_LABEL: task.run_id, PROGRAM_LABEL: task.program_id}
            removed = await self._reap(task.sandbox, labels)
            raise EvaluationLost(
                f"lost the Ray worker evaluating program {task.program_id} "
                f"({type(exc).__name__}: {_line(exc)}); {removed} orphaned sandboxes removed"
            ) from exc
        finally:
            self._in_flight.discard(ref)
        evaluation, node = outcome
        self.placements[node] += 1
        return evaluation

    def _cancel(self, ref: Any) -> None:
        import ray

        # Force: the worker process ends, and its sandbox with it.
        with contextlib.suppress(Exception):  # already finished, or its worker gone
            ray.cancel(ref, force=True)

    # -- cleanup of sandboxes whose worker died -------------------------------------------

    def _can_reap(self, backend: str) -> bool:
        if backend not in self._reapable:
            self._reapable[backend] = backend_can_reap(backend)
        return self._reapable[backend]

    async def _reap_leftovers(self, task: EvalTask) -> None:
        """Once per run: sandboxes of this run left by an earlier, killed session.

        Every evaluation of the run waits for that reap to finish: one submitted meanwhile
        (a resumed run re-queues several at once) would otherwise start a container that
        the reap then removes under it.
        """
        gate = self._run_reaps.get(task.run_id)
        if gate is not None:
            if not gate.done():  # shielded: a cancelled waiter must not cancel the gate
                await asyncio.shield(asyncio.wrap_future(gate))
            return
        gate = concurrent.futures.Future()
        self._run_reaps[task.run_id] = gate
        try:
            await self._reap(task.sandbox, {RUN_LABEL: task.run_id})
        finally:
            gate.set_result(None)

    async def _reap(self, backend: str, labels: Mapping[str, str]) -> int:
        """Run the backend's reaper on every live node; the number of sandboxes removed."""
        if not self._can_reap(backend):
            return 0
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        _, reap_remote = remote_functions()
        refs = [
            reap_remote.options(
                num_cpus=0,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False),
            ).remote(backend, dict(labels))
            for node in ray.nodes()  # type: ignore[no-untyped-call]
            if node.get("Alive")
        ]
        if not refs:
            return 0
        done = await asyncio.wait(
            [asyncio.wrap_future(r.future()) for r in refs], timeout=REAP_TIMEOUT_S
        )
        return sum(f.result() for f in done[0] if f.exception() is None)

    def close(self) -> None:
        """Cancel what is still running; the embedded Ray stays up for this process's next
        run and ends with the process."""
        for ref in list(self._in_flight):
            self._cancel(ref)
        self._in_flight.clear()
