"""Containers left by a killed run are removed at the next start; reap() works by label."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from adrs.sandbox import engine
from tests.sandbox.conftest import run_containers
from tests.support.docker_env import require_docker

REPO = Path(__file__).resolve().parents[2]


def _sleeper(run_id: str, owner: str) -> str:
    created = engine.client().create_container(
        "adrs-python:latest",
        command=["sleep", "60"],
        labels={engine.SANDBOX_LABEL: "docker", engine.OWNER_LABEL: owner, "adrs.run": run_id},
        host_config=engine.client().create_host_config(network_mode="none", init=True),
    )
    engine.client().start(created["Id"])
    return str(created["Id"])


def test_containers_of_a_killed_run_are_reaped_at_the_next_start(
    make_problem: Callable[..., Path], run_id: str
) -> None:
    require_docker()
    root = make_problem(seed="def solve(x):\n    import time\n    time.sleep(60)\n", timeout=60)
    script = textwrap.dedent(
        f"""
        from adrs.evaluation.evaluate import evaluate_source
        from adrs.problem.loader import load_problem
        from adrs.sandbox.docker_sandbox import DockerSandbox
        problem = load_problem({str(root)!r})
        evaluate_source(problem, problem.seed_source, DockerSandbox(pool_size=1),
                        labels={{"adrs.run": {run_id!r}, "adrs.program": "p"}})
        """
    )
    victim = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(c["State"] == "running" for c in run_containers(run_id)):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the victim's container never started")
        folders = [Path(c["Labels"][engine.HOSTDIR_LABEL]) for c in run_containers(run_id)]
        assert all(f.exists() for f in folders)
    finally:
        os.kill(victim.pid, signal.SIGKILL)  # no cleanup code of the victim runs
        victim.wait()
    assert run_containers(run_id), "the killed run left its containers behind"

    from adrs.sandbox.docker_sandbox import DockerSandbox

    sandbox = DockerSandbox(pool_size=0)  # the next start reaps
    sandbox.close()
    assert sandbox.reaped >= 1
    assert run_containers(run_id) == []
    assert not any(f.exists() for f in folders)


def test_reap_removes_only_containers_with_the_given_labels(run_id: str) -> None:
    require_docker()
    from adrs.sandbox.reaper import reap, reap_orphans

    mine = _sleeper(run_id, engine.owner_id())
    other_run = f"{run_id}-other"
    other = _sleeper(other_run, engine.owner_id())
    try:
        # Both owners are alive (this process): the orphan pass keeps them.
        reap_orphans()
        assert len(run_containers(run_id)) == 1 and len(run_containers(other_run)) == 1
        report = reap({"adrs.run": run_id})
        assert report.containers == [mine]
        assert run_containers(run_id) == [] and len(run_containers(other_run)) == 1
    finally:
        reap({"adrs.run": other_run})
    assert run_containers(other_run) == []
    assert other not in [c["Id"] for c in engine.client().containers(all=True)]


def test_orphan_pass_removes_containers_of_a_dead_owner(run_id: str) -> None:
    require_docker()
    from adrs.sandbox.reaper import reap_orphans

    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(finished.stdout)
    host = engine.owner_id().split(":")[0]
    _sleeper(run_id, f"{host}:{dead_pid}:1")
    _sleeper(f"{run_id}-elsewhere", f"another-host:{dead_pid}:1")
    try:
        report = reap_orphans()
        assert len(report.containers) >= 1
        assert run_containers(run_id) == []
        # An owner on another host sharing the engine is not ours to judge.
        assert len(run_containers(f"{run_id}-elsewhere")) == 1
    finally:
        from adrs.sandbox.reaper import reap

        reap({"adrs.run": f"{run_id}-elsewhere"})


def test_the_ray_workers_reap_path_removes_docker_sandboxes_by_label(run_id: str) -> None:
    require_docker()
    from adrs.sandbox.reap import backend_can_reap, reap_here

    assert backend_can_reap("docker") and not backend_can_reap("process")
    _sleeper(run_id, engine.owner_id())
    assert len(run_containers(run_id)) == 1
    assert reap_here("docker", {"adrs.run": run_id}) == 1
    assert run_containers(run_id) == []
    assert reap_here("process", {"adrs.run": run_id}) == 0
