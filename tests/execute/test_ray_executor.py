"""The Ray executor on the embedded local Ray: the same run as inline, failures as results,
lost workers retried with nothing lost or counted twice, and clear errors."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adrs.archive.store import Archive
from adrs.cli.main import main
from adrs.engine.runner import RunResult, start_run
from adrs.errors import NotAvailableError
from adrs.evaluation.status import ProgramState, Status
from adrs.execute.base import EvalTask
from adrs.execute.ray_executor import RayExecutor
from adrs.problem.loader import load_problem
from tests.support.procs import alive, cmdline, parent, sandbox_processes, wait_for

SLOW_SEED = """
import time
time.sleep({delay})  # outside the evolvable region: every evaluation takes this long
# EVOLVE-BLOCK-START
def solve(x):
    return x + x
# EVOLVE-BLOCK-END
"""


def summary(db: str, run_id: str) -> list[tuple[Any, ...]]:
    archive = Archive(db)
    return [(p.seq, p.source_hash, p.state, p.status, p.score) for p in archive.programs(run_id)]


def search_evaluations(db: str, program_id: str) -> int:
    return sum(1 for e in Archive(db).evaluations(program_id) if e.purpose == "search")


def evaluate(executor: RayExecutor, root: Path, source: str) -> Any:
    task = EvalTask(load_problem(root), source, "run-x", "prog-x", "process")
    return asyncio.run(executor.evaluate(task))


def test_ray_run_records_the_same_programs_as_an_inline_run(
    make_problem: Callable[..., Path], tmp_path: Path, local_ray: None
) -> None:
    root = make_problem()
    settings = {"iterations": 10, "seed": 3, "evaluation_slots": 2}
    inline = start_run(root, {**settings, "executor": "inline"}, db=str(tmp_path / "i.db"))
    on_ray = start_run(root, {**settings, "executor": "ray"}, db=str(tmp_path / "r.db"))
    expected = summary(str(tmp_path / "i.db"), inline.run_id)
    assert len(expected) == 11
    assert summary(str(tmp_path / "r.db"), on_ray.run_id) == expected
    assert Archive(str(tmp_path / "r.db")).get_run(on_ray.run_id).executor == "ray"


def test_candidate_failure_comes_back_as_a_status_from_the_worker(
    make_problem: Callable[..., Path], local_ray: None
) -> None:
    executor = RayExecutor(2)
    crashing = "import os\n# EVOLVE-BLOCK-START\ndef solve(x):\n    os._exit(3)\n# EVOLVE-BLOCK-END"
    evaluation = evaluate(executor, make_problem(), crashing)
    assert evaluation.status is Status.ERROR
    assert "exited with code 3" in evaluation.reason
    assert sum(executor.placements.values()) == 1


def test_gpu_problem_without_gpus_is_a_clear_error(
    make_problem: Callable[..., Path], local_ray: None
) -> None:
    from tests.conftest import TOY_TOML

    root = make_problem(toml=TOY_TOML.format(timeout=5) + "[sandbox]\ngpu = true\n")
    executor = RayExecutor(2)
    if executor.session.gpus >= 1:
        pytest.skip("this machine has a GPU: the GPU path is exercised instead")
    with pytest.raises(NotAvailableError, match="needs a GPU"):
        evaluate(executor, root, load_problem(root).seed_source)


def _ray_supervised_sandbox(seen: set[str]) -> tuple[int, str] | None:
    """A sandbox (pid, marker) that a Ray worker supervises, not one already in ``seen``."""
    procs = sandbox_processes()
    for pid, marker in procs.items():
        supervisor = parent(pid)
        if marker in seen or supervisor is None or supervisor in procs:
            continue
        if cmdline(supervisor).startswith("ray::"):
            return supervisor, marker
    return None


def test_killed_worker_is_retried_and_loses_no_candidate(
    make_problem: Callable[..., Path], tmp_path: Path, local_ray: None
) -> None:
    root = make_problem(SLOW_SEED.format(delay=10.0), timeout=60)
    db = str(tmp_path / "a.db")
    results: list[RunResult] = []
    # The process backend: this test watches the sandbox's own processes.
    settings = {
        "iterations": 4,
        "seed": 1,
        "evaluation_slots": 2,
        "executor": "ray",
        "sandbox": "process",
    }
    runner = threading.Thread(target=lambda: results.append(start_run(root, settings, db=db)))
    runner.start()
    try:
        seen: set[str] = set()
        victim = None
        # Kill the worker under the second sandbox seen: an evolved program, not the seed.
        while len(seen) < 2 and runner.is_alive():
            found = _ray_supervised_sandbox(seen)
            if found is not None:
                seen.add(found[1])
                victim = found
        assert victim is not None and len(seen) == 2, "no Ray-supervised sandbox appeared"
        worker, marker = victim
        doomed = [pid for pid, m in sandbox_processes().items() if m == marker]
        os.kill(worker, signal.SIGKILL)
        # Well before the candidate's own 10 s would end it: the worker's death did.
        assert wait_for(lambda: not any(alive(pid) for pid in doomed), timeout=6), (
            "the sandbox of the killed worker outlived it"
        )
    finally:
        runner.join(timeout=180)
    assert results, "the run did not finish"
    run = Archive(db).get_run(results[0].run_id)
    assert run.status == "finished"
    programs = Archive(db).programs(run.id)
    assert [p.seq for p in programs] == list(range(5))
    assert all(p.state != ProgramState.PENDING for p in programs)
    for p in programs:
        if p.state == ProgramState.EVALUATED:
            assert search_evaluations(db, p.id) == 1, f"program {p.seq} recorded twice"
    faults = [e.message for e in Archive(db).events(run.id) if e.kind == "infrastructure"]
    assert len(faults) == 1 and "lost the Ray worker" in faults[0]


def test_unreachable_ray_address_is_one_line_and_leaves_no_run(
    make_problem: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.db"
    code = main(["run", str(make_problem()), "--ray-address", "127.0.0.1:1", "--db", str(db)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("adrs: error: cannot reach the Ray head node at 127.0.0.1:1")
    assert "\n" not in err
    assert not db.exists() or Archive(str(db)).list_runs() == []


def test_ray_address_from_the_environment_is_joined_like_the_option(
    make_problem: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")
    argv = ["run", str(make_problem()), "--executor", "ray", "--db", str(tmp_path / "a.db")]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("adrs: error: cannot reach the Ray head node at 127.0.0.1:1")


def test_resume_on_an_unreachable_ray_address_is_one_line_and_changes_nothing(
    make_problem: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    first = start_run(make_problem(), {"iterations": 1, "executor": "inline"}, db=db)
    before = Archive(db).get_run(first.run_id)
    capsys.readouterr()
    code = main(["resume", first.run_id, "--db", db, "--ray-address", "127.0.0.1:1"])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("adrs: error: cannot reach the Ray head node at 127.0.0.1:1")
    assert "\n" not in err
    after = Archive(db).get_run(first.run_id)
    assert (after.status, after.settings) == (before.status, before.settings)


def test_ray_address_with_inline_executor_is_refused(
    make_problem: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", str(make_problem()), "--executor", "inline", "--ray-address", "h:1"]
    assert main([*argv, "--db", str(tmp_path / "a.db")]) == 1
    assert "'ray_address' needs executor 'ray'" in capsys.readouterr().err


PEER_SEED = """
# EVOLVE-BLOCK-START
def area(w, h):
    return w * h
# EVOLVE-BLOCK-END
"""

PEER_EVALUATOR = """
import importlib.util

def evaluate(program_path):
    spec = importlib.util.spec_from_file_location("prog", program_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return {"combined_score": float(mod.area(3, 4))}
"""


def test_peer_folder_unpacked_on_a_worker_is_readable_by_the_process_sandbox(
    tmp_path: Path, local_ray: None
) -> None:
    # The worker unpacks the bundle into a folder only its own user may read; the
    # sandbox's unprivileged user must still be able to load the peer's evaluator.
    root = tmp_path / "peer"
    root.mkdir()
    (root / "initial_program.py").write_text(PEER_SEED)
    (root / "evaluator.py").write_text(PEER_EVALUATOR)
    evaluation = evaluate(RayExecutor(1), root, PEER_SEED)
    assert evaluation.status is Status.OK, evaluation.reason
    assert evaluation.stages[0].metrics["combined_score"] == 12.0
