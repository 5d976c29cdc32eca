"""The Ray executor with the docker backend: a container whose Ray worker is killed
mid-evaluation is removed by the executor, and the evaluation then succeeds elsewhere."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from adrs.evaluation.status import Status
from adrs.execute.base import EvalTask
from adrs.execute.ray_executor import EvaluationLost, RayExecutor
from adrs.problem.loader import load_problem
from tests.execute.test_ray_executor import SLOW_SEED
from tests.support.docker_env import require_docker
from tests.support.procs import alive, cmdline, wait_for


def run_containers(run_id: str) -> list[dict[str, Any]]:
    from adrs.sandbox import engine

    found: list[dict[str, Any]] = engine.client().containers(
        all=True, filters={"label": [f"{engine.RUN_LABEL}={run_id}"]}
    )
    return found


def test_container_of_a_killed_worker_is_removed_and_the_retry_succeeds(
    make_problem: Callable[..., Path], local_ray: None
) -> None:
    require_docker()
    from adrs.sandbox import engine

    run_id = f"ray-docker-{secrets.token_hex(4)}"
    problem = load_problem(make_problem(SLOW_SEED.format(delay=20.0), timeout=60))
    task = EvalTask(problem, problem.seed_source, run_id, "prog-1", "docker")
    executor = RayExecutor(2)
    outcome: list[Any] = []

    def evaluate() -> None:
        try:
            outcome.append(asyncio.run(executor.evaluate(task)))
        except Exception as exc:
            outcome.append(exc)

    evaluating = threading.Thread(target=evaluate)
    evaluating.start()
    try:
        assert wait_for(
            lambda: any(c["State"] == "running" for c in run_containers(run_id)), timeout=120
        ), "the evaluation's container never started"
        (container,) = run_containers(run_id)
        assert container["Labels"][engine.PROGRAM_LABEL] == "prog-1"
        # The owner label names the process that created the container: the Ray worker.
        worker = int(container["Labels"][engine.OWNER_LABEL].split(":")[1])
        assert cmdline(worker).startswith("ray::"), cmdline(worker)
        os.kill(worker, signal.SIGKILL)
        assert wait_for(lambda: not alive(worker), timeout=10)
    finally:
        evaluating.join(timeout=120)
    assert len(outcome) == 1, "the evaluation did not come back"
    lost = outcome[0]
    assert isinstance(lost, EvaluationLost), lost
    # Well before the candidate's own 20 s: the executor removed the orphaned container.
    assert "1 orphaned sandboxes removed" in str(lost)
    assert run_containers(run_id) == []

    quick = load_problem(make_problem(name="quick"))
    retry = EvalTask(quick, quick.seed_source, run_id, "prog-1", "docker")
    evaluation = asyncio.run(executor.evaluate(retry))
    assert evaluation.status is Status.OK, evaluation.reason
    assert evaluation.final.backend == "docker"
    # The worker removes a used container in the background, just after answering.
    assert wait_for(lambda: run_containers(run_id) == [], timeout=30)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records, in order, when the executor submits an evaluation to Ray."""
    from adrs.execute import ray_executor
    from adrs.execute.ray_worker import remote_functions

    events: list[str] = []
    real_evaluate, real_reap = remote_functions()

    class Recording:
        def options(self, **options: Any) -> Any:
            chosen = real_evaluate.options(**options)

            class Submit:
                def remote(self, *args: Any) -> Any:
                    events.append("submit")
                    return chosen.remote(*args)

            return Submit()

    monkeypatch.setattr(ray_executor, "remote_functions", lambda: (Recording(), real_reap))
    return events


def test_evaluations_of_a_run_wait_for_its_first_reap(
    make_problem: Callable[..., Path], local_ray: None, recorder: list[str]
) -> None:
    # The first evaluation of a run removes the run's sandboxes left by an earlier session;
    # evaluations submitted meanwhile (a resumed run re-queues several at once) must not
    # start containers that this reap would then remove under them.
    executor = RayExecutor(2)
    reaps: list[dict[str, str]] = []

    async def slow_reap(backend: str, labels: Mapping[str, str]) -> int:
        reaps.append(dict(labels))
        await asyncio.sleep(0.5)
        recorder.append("reaped")
        return 0

    executor._reap = slow_reap  # type: ignore[method-assign]
    problem = load_problem(make_problem())

    async def three() -> list[Any]:
        tasks = [
            EvalTask(problem, problem.seed_source, "run-gate", f"p{i}", "process") for i in range(3)
        ]
        return await asyncio.gather(*(executor.evaluate(t) for t in tasks))

    evaluations = asyncio.run(three())
    assert [e.status for e in evaluations] == [Status.OK] * 3
    assert reaps == [{"adrs.run": "run-gate"}]
    assert recorder == ["reaped", "submit", "submit", "submit"]
