"""The docker backend runs each evaluation in a fresh, locked-down container."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adrs.errors import NotAvailableError
from adrs.evaluation.channel import parse_channel
from adrs.evaluation.evaluate import build_job, evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.loader import load_problem
from adrs.sandbox.base import SandboxJob
from adrs.sandbox.workdir import owner_dir
from tests.sandbox.conftest import run_containers
from tests.support.docker_env import require_docker

INSPECTOR = """
import os

def _writable(path):
    try:
        with open(os.path.join(path, "probe.txt"), "w") as fh:
            fh.write("x")
        return True
    except OSError:
        return False

def solve(x):
    if x == 0:
        status = open("/proc/self/status").read()
        for line in status.splitlines():
            if line.startswith(("CapEff", "CapBnd", "NoNewPrivs")):
                print(line.replace("\\t", " "))
        print("uid", os.getuid(), "gid", os.getgid())
        print("writable /", _writable("/"), "/usr", _writable("/usr"))
        print("writable job", _writable("."), "home", _writable(os.environ["HOME"]),
              "tmp", _writable("/tmp"))
        print("job files", sorted(os.listdir(".")))
        print("cwd", os.getcwd())
    return 2 * x
"""


def labels(run_id: str, program: str = "p1") -> dict[str, str]:
    return {"adrs.run": run_id, "adrs.program": program}


def test_candidate_runs_ok_under_recorded_limits(
    make_problem: Callable[..., Path], docker_sandbox: Any, run_id: str
) -> None:
    problem = load_problem(make_problem())
    ev = evaluate_source(problem, problem.seed_source, docker_sandbox, labels=labels(run_id))
    assert ev.status is Status.OK and ev.score == 0.0
    stage = ev.final
    assert stage.backend == "docker"
    applied = stage.limits
    assert applied["network"] == "none" and applied["read_only_root"] is True
    assert applied["cap_drop"] == ["ALL"] and "no-new-privileges" in applied["security_opt"]
    assert applied["init"] is True
    assert applied["memory_mb"] == applied["memory_swap_mb"] == 512
    assert applied["processes"] == 16 + 2  # the candidate's 16, docker-init and timeout
    assert applied["cpus"] == 1.0 and applied["open_files"] == 256
    assert set(applied["tmpfs"]) == {"/tmp", "/job/scratch"}
    assert "size=256m" in applied["tmpfs"]["/tmp"]
    uid, gid = (int(v) for v in applied["user"].split(":"))
    assert uid == gid and uid >= 200_000


def test_candidate_sees_no_privileges_and_a_read_only_world(
    make_problem: Callable[..., Path], docker_sandbox: Any, run_id: str
) -> None:
    problem = load_problem(make_problem())
    ev = evaluate_source(problem, INSPECTOR, docker_sandbox, labels=labels(run_id))
    assert ev.status is Status.OK, ev.reason
    out = ev.final.stdout
    assert "CapEff: 0000000000000000" in out and "CapBnd: 0000000000000000" in out
    assert "NoNewPrivs: 1" in out
    assert "writable / False /usr False" in out
    assert "writable job False home True tmp True" in out
    # The verifier, the problem folder and the held-out cases are not there, nor the
    # search cases: those reach the harness's timekeeper on stdin, one at a time.
    assert "job files ['candidate.py', 'out', 'scratch']" in out
    assert f"uid {ev.final.limits['user'].split(':')[0]}" in out


def test_frames_carry_host_monotonic_times(
    make_problem: Callable[..., Path], docker_sandbox: Any, run_id: str
) -> None:
    # Container and host read the same CLOCK_MONOTONIC: the harness's timestamps fall
    # inside the host's launch-to-reap window, so the channel check holds for containers.
    problem = load_problem(make_problem())
    cases = problem.verifier.cases("search", 0)
    job = build_job(problem, problem.seed_source, cases, "n0nce", labels(run_id))
    result = docker_sandbox.run(job)
    report = parse_channel(
        result.output,
        nonce="n0nce",
        expected_ids=[c["id"] for c in cases],
        window=(result.started, result.finished),
    )
    assert report.tampering == [] and report.ended
    assert all(result.started <= f.t0 <= f.t1 <= result.finished for f in report.cases)
    assert len(report.cases) == 3


def test_pool_gives_every_evaluation_a_fresh_container(
    make_problem: Callable[..., Path], run_id: str
) -> None:
    require_docker()
    from adrs.sandbox.docker_sandbox import DockerSandbox

    # A candidate that would profit from state left by an earlier one: it answers right
    # only when it finds nothing in /tmp.
    seed = textwrap.dedent(
        """
        import os
        def solve(x):
            mark = "/tmp/seen-%d" % x
            if os.path.exists(mark):
                return -1
            open(mark, "w").close()
            return 2 * x
        """
    )
    problem = load_problem(make_problem())
    sandbox = DockerSandbox(pool_size=1)
    runs = []
    try:
        for i in range(3):
            runs.append(evaluate_source(problem, seed, sandbox, labels=labels(run_id, f"p{i}")))
            sandbox.pool.drain()  # the pool refills between evaluations
    finally:
        sandbox.close()
    assert [ev.status for ev in runs] == [Status.OK] * 3
    assert [ev.score for ev in runs] == [0.0] * 3
    containers = [ev.final.limits["container"] for ev in runs]
    assert len(set(containers)) == 3
    assert [ev.final.limits["pooled"] for ev in runs] == [False, True, True]
    assert run_containers(run_id) == []


def test_closing_leaves_no_container_or_host_folder(
    make_problem: Callable[..., Path], run_id: str
) -> None:
    require_docker()
    from adrs.sandbox.docker_sandbox import DockerSandbox

    problem = load_problem(make_problem())
    sandbox = DockerSandbox(pool_size=2)
    ev = evaluate_source(problem, problem.seed_source, sandbox, labels=labels(run_id))
    sandbox.pool.drain()
    assert ev.status is Status.OK
    assert len(run_containers(run_id)) == 2  # two created ahead, never started
    sandbox.close()
    assert run_containers(run_id) == []
    assert not owner_dir().exists() or list(owner_dir().iterdir()) == []


def test_missing_image_is_a_one_line_error(
    make_problem: Callable[..., Path], docker_sandbox: Any
) -> None:
    problem = load_problem(make_problem())
    job = build_job(problem, problem.seed_source, [], "n")
    missing = SandboxJob(files=job.files, job=job.job, limits=job.limits, image="adrs-none:0")
    with pytest.raises(NotAvailableError, match=r"image adrs-none:0 is not present \(build it"):
        docker_sandbox.run(missing)


def test_the_engine_holds_every_restriction_of_a_created_container(
    docker_sandbox: Any, run_id: str
) -> None:
    # Read back from the engine itself, not from what the sandbox recorded.
    from adrs.problem.spec import Limits
    from adrs.sandbox import engine
    from adrs.sandbox.container_spec import HARNESS_DIR, Profile

    limits = Limits(timeout_s=5, memory_mb=300, processes=12, open_files=64, disk_mb=32)
    profile = Profile.of("adrs-python:latest", limits, False, labels(run_id))
    slot = docker_sandbox._create(profile, labels(run_id))
    try:
        info = engine.client().inspect_container(slot.container_id)
    finally:
        docker_sandbox._destroy(slot)
    hc, config = info["HostConfig"], info["Config"]
    assert hc["NetworkMode"] == "none" and config["NetworkDisabled"] is True
    assert hc["ReadonlyRootfs"] is True
    assert hc["Memory"] == hc["MemorySwap"] == 300 * 1024 * 1024
    assert hc["NanoCpus"] == 1_000_000_000 and hc["PidsLimit"] == 12 + 2
    ulimits = {u["Name"]: (u["Soft"], u["Hard"]) for u in hc["Ulimits"]}
    assert ulimits["nofile"] == (64, 64) and ulimits["cpu"] == (5, 5)
    assert ulimits["fsize"][0] == ulimits["fsize"][1] > 32 * 1024 * 1024
    assert hc["CapDrop"] == ["ALL"] and not hc.get("CapAdd") and hc["Privileged"] is False
    assert hc["SecurityOpt"] == ["no-new-privileges"] and hc["Init"] is True
    assert {k: "size=32m" in v for k, v in hc["Tmpfs"].items()} == {
        "/tmp": True,
        "/job/scratch": True,
    }
    mounts = {m["Target"]: m.get("ReadOnly", False) for m in hc["Mounts"]}
    assert mounts == {"/job": True, "/job/out": False, HARNESS_DIR: True}
    uid, gid = config["User"].split(":")
    assert uid == gid and int(uid) >= 200_000
    assert {k: config["Labels"][k] for k in ("adrs.run", "adrs.program", "adrs.sandbox")} == {
        "adrs.run": run_id,
        "adrs.program": "p1",
        "adrs.sandbox": "docker",
    }
    assert config["Labels"][engine.OWNER_LABEL] == engine.owner_id()
    assert not any(e.startswith(("OPENAI", "ANTHROPIC", "VAULT")) for e in config["Env"])
