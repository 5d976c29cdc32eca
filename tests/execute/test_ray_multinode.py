"""Two Ray nodes on one machine (Ray's cluster utilities, loopback only): evaluations
spread over both, and killing a node mid-run loses no candidate and counts none twice."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from adrs.archive.store import Archive
from adrs.engine.runner import RunResult, resume_run, start_run
from adrs.evaluation.status import ProgramState, Status
from adrs.execute import ray_cluster
from adrs.execute.base import EvalTask
from adrs.execute.ray_executor import RayExecutor
from adrs.problem.loader import load_problem
from tests.execute.test_ray_executor import SLOW_SEED
from tests.support.procs import alive, parent, sandbox_processes, wait_for

NODE = {"num_cpus": 1, "resources": {"sandbox": 1}, "object_store_memory": 80 * 1024 * 1024}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A head node and a second node, each allowed one sandbox at a time."""
    from ray.cluster_utils import Cluster

    ray_cluster.shutdown()  # leave the session's embedded Ray: the driver joins this one
    made = Cluster(initialize_head=True, head_node_args={**NODE, "include_dashboard": False})
    made.add_node(**NODE)
    made.wait_for_nodes()
    yield made
    ray_cluster.shutdown()
    made.shutdown()


def raylet_pid(node: Any) -> int:
    return int(node.all_processes["raylet"][0].process.pid)


def test_evaluations_land_on_both_nodes(cluster: Any, make_problem: Callable[..., Path]) -> None:
    executor = RayExecutor(2, address=cluster.address)
    problem = load_problem(make_problem(SLOW_SEED.format(delay=0.5)))

    async def evaluate_all() -> list[Any]:
        tasks = [
            EvalTask(problem, problem.seed_source, "run-m", f"prog-{i}", "process")
            for i in range(4)
        ]
        return await asyncio.gather(*(executor.evaluate(t) for t in tasks))

    evaluations = asyncio.run(evaluate_all())
    assert [e.status for e in evaluations] == [Status.OK] * 4
    assert len(executor.placements) == 2, executor.placements
    assert sum(executor.placements.values()) == 4


def test_a_node_runs_no_more_sandboxes_than_it_declares(
    cluster: Any, make_problem: Callable[..., Path]
) -> None:
    # More CPUs than sandboxes: the `sandbox` resource, not the CPUs, bounds that node.
    roomy = cluster.add_node(
        num_cpus=4, resources={"sandbox": 1}, object_store_memory=80 * 1024 * 1024
    )
    cluster.wait_for_nodes()
    try:
        raylet = raylet_pid(roomy)
        executor = RayExecutor(6, address=cluster.address)
        problem = load_problem(make_problem(SLOW_SEED.format(delay=1.0), timeout=30))
        most: list[int] = [0]
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                procs = sandbox_processes()
                here = {m for pid, m in procs.items() if parent(parent(pid) or 0) == raylet}
                most[0] = max(most[0], len(here))
                time.sleep(0.02)

        async def evaluate_all() -> list[Any]:
            tasks = [
                EvalTask(problem, problem.seed_source, "run-cap", f"prog-{i}", "process")
                for i in range(8)
            ]
            return await asyncio.gather(*(executor.evaluate(t) for t in tasks))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            evaluations = asyncio.run(evaluate_all())
        finally:
            stop.set()
            watcher.join(timeout=5)
        assert [e.status for e in evaluations] == [Status.OK] * 8
        assert executor.placements[roomy.node_id] >= 2, executor.placements
        assert most[0] == 1, f"{most[0]} sandboxes at once on a node that declares 1"
    finally:
        cluster.remove_node(roomy)


def test_killing_a_node_mid_run_loses_no_candidate(
    cluster: Any, make_problem: Callable[..., Path], tmp_path: Path
) -> None:
    doomed = cluster.add_node(**NODE)
    cluster.wait_for_nodes()
    root = make_problem(SLOW_SEED.format(delay=1.0), timeout=30)
    db = str(tmp_path / "a.db")
    # The process backend: the test finds sandboxes by their processes on each node.
    settings = {
        "iterations": 6,
        "seed": 4,
        "evaluation_slots": 2,
        "ray_address": cluster.address,
        "sandbox": "process",
    }
    results: list[RunResult] = []
    runner = threading.Thread(target=lambda: results.append(start_run(root, settings, db=db)))
    runner.start()
    try:
        raylet = raylet_pid(doomed)

        def sandbox_on_doomed_node() -> list[int]:
            procs = sandbox_processes()
            return [pid for pid in procs if parent(parent(pid) or 0) == raylet]

        assert wait_for(sandbox_on_doomed_node, timeout=120), "nothing ran on the doomed node"
        procs = sandbox_processes()
        markers = {procs.get(pid) for pid in sandbox_on_doomed_node()}
        orphans = [pid for pid, marker in procs.items() if marker in markers]
        cluster.remove_node(doomed, allow_graceful=False)
        assert wait_for(lambda: not any(alive(p) for p in orphans), timeout=10)
    finally:
        runner.join(timeout=240)
    assert results, "the run did not finish"
    archive = Archive(db)
    run = archive.get_run(results[0].run_id)
    assert run.status == "finished"
    programs = archive.programs(run.id)
    assert [p.seq for p in programs] == list(range(7))
    assert all(p.state != ProgramState.PENDING for p in programs)
    for p in programs:
        if p.state == ProgramState.EVALUATED:
            assert sum(e.purpose == "search" for e in archive.evaluations(p.id)) == 1
    faults = [e.message for e in archive.events(run.id) if e.kind == "infrastructure"]
    assert faults and all("lost the Ray worker" in f for f in faults)


def test_a_run_started_elsewhere_resumes_on_the_cluster_named_at_resume(
    cluster: Any, make_problem: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_problem(SLOW_SEED.format(delay=0.1), timeout=30)
    db = str(tmp_path / "a.db")
    first = start_run(
        root, {"iterations": 2, "seed": 3, "executor": "inline", "sandbox": "process"}, db=db
    )
    resumed = resume_run(first.run_id, db=db, iterations=4, ray_address=cluster.address)
    assert ray_cluster._current is not None and ray_cluster._current.address == cluster.address
    archive = Archive(db)
    run = archive.get_run(resumed.run_id)
    assert run.status == "finished"
    assert [p.seq for p in archive.programs(run.id)] == list(range(5))
    # Where it was continued is not part of the run's settings.
    assert run.settings["executor"] == "inline" and run.settings.get("ray_address") is None
