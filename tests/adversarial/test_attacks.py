"""Each attack ends with the right status and reason on both backends, inflates no score,
leaves no container or process behind, and the sandbox goes on serving the run."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path

import pytest

from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.loader import Problem
from adrs.sandbox.process import ProcessSandbox, namespace_prefix
from tests.adversarial.catalogue import ATTACKS, MARKERS, Attack
from tests.adversarial.conftest import CANARY_KEY, Backend, SecretServer

NAMESPACED = {"network", "daemon", "setsid_escape"}  # the process backend needs namespaces


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(entry.name))
    return found


def processes_in(folder: Path) -> list[int]:
    """Live processes whose working directory is inside ``folder`` (as the kernel names it,
    a deleted folder included)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                cwd = os.readlink(entry / "cwd")
                if cwd == str(folder) or cwd.startswith(f"{folder}/"):
                    found.append(int(entry.name))
    return found


def test_leftover_check_sees_a_process_left_in_the_sandbox_folder(tmp_path: Path) -> None:
    # Control for settle(): the check finds what it is meant to find.
    (tmp_path / "run-x").mkdir()
    lingering = subprocess.Popen(["sleep", "30"], cwd=tmp_path / "run-x")
    try:
        assert processes_in(tmp_path) == [lingering.pid]
    finally:
        lingering.kill()
        lingering.wait()
    assert processes_in(tmp_path) == []


def settle(backend: Backend) -> None:
    """Check that the evaluation left nothing: no process of the process backend, and
    (once background removals finish) no used container of the run."""
    if isinstance(backend.sandbox, ProcessSandbox):
        base = backend.sandbox.base_dir
        deadline = time.monotonic() + 2
        while processes_in(base) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_in(base) == [], "processes of the evaluation outlived it"
        return
    from adrs.sandbox import engine
    from adrs.sandbox.docker_sandbox import DockerSandbox

    assert isinstance(backend.sandbox, DockerSandbox)
    backend.sandbox.pool.drain()
    listed = engine.client().containers(
        all=True, filters={"label": [f"{engine.RUN_LABEL}={backend.run_id}"]}
    )
    # Only containers created ahead of need (never started) may remain.
    assert [c["State"] for c in listed if c["State"] != "created"] == []


def skip_where_uncontained(attack: Attack, backend: Backend) -> None:
    if backend.name != "process":
        return
    if attack.process_gap:
        pytest.skip(f"process backend cannot contain {attack.name}: {attack.process_gap}")
    if attack.name in NAMESPACED and not namespace_prefix()[0]:
        pytest.skip(
            f"process backend cannot contain {attack.name} here: the kernel refused it "
            "network and PID namespaces"
        )


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_is_contained(
    attack: Attack, backend: Backend, vault: Problem, secret_server: SecretServer
) -> None:
    skip_where_uncontained(attack, backend)
    source = attack.path.read_text().replace("__PORT__", str(secret_server.port))
    labels = {"adrs.run": backend.run_id, "adrs.program": attack.name}
    ev = evaluate_source(vault, source, backend.sandbox, labels=labels)
    final = ev.final
    logs = final.stdout + final.stderr

    assert (ev.status, attack.reason in ev.reason) == (attack.status, True), ev.reason
    assert final.backend == backend.name
    # Only the secret gives the best score (0): whatever happened, nobody got it.
    assert ev.score is None or ev.score < 0
    if attack.name == "network":
        assert secret_server.connections == 0
        assert "connect failed" in final.stdout
        assert "interfaces: lo\n" in final.stdout
    if attack.name == "env_keys":
        assert "env " in final.stdout  # control: the candidate did list its environment
        assert CANARY_KEY not in logs and "VAULT_SECRET" not in logs
    if attack.name == "find_verifier":
        assert "not found" in final.stdout
    if attack.name in ("timer_patch", "timer_patch_harness"):
        assert [c["elapsed_s"] >= 0.29 for c in final.cases] == [True, True, True]
    if attack.name == "read_inputs_early":
        assert "inputs: not found" in final.stdout, final.stdout
    if attack.name in MARKERS:
        assert "running" in final.stdout, "control: the lingering process did start"
        deadline = time.monotonic() + 2
        while processes_with(MARKERS[attack.name]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_with(MARKERS[attack.name]) == []

    settle(backend)
    honest = evaluate_source(vault, vault.seed_source, backend.sandbox, labels=labels)
    assert honest.status is Status.OK and honest.score is not None and honest.score < 0
