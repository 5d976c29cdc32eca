"""The process backend's filesystem view: the candidate imports what it needs, and sees
neither the problem folder (verifier, held-out data) nor the user's home."""

from __future__ import annotations

from pathlib import Path

import pytest

from adrs.evaluation.evaluate import evaluate_source
from adrs.evaluation.status import Status
from adrs.problem.loader import load_problem
from adrs.sandbox.fsview import view_script
from adrs.sandbox.process import ProcessSandbox, namespace_prefix
from tests.conftest import PROBLEMS
from tests.support.require import require


def evaluate_with(prelude: str):
    problem = load_problem(PROBLEMS / "model_placement")
    source = problem.seed_source.replace("GPU_MEMORY_GB = 80.0", f"{prelude}\nGPU_MEMORY_GB = 80.0")
    return evaluate_source(problem, source, ProcessSandbox())


def mount_namespace() -> bool:
    return "--mount" in namespace_prefix()[0]


def test_candidate_imports_stdlib_and_numpy_not_preloaded_by_the_harness() -> None:
    ev = evaluate_with("import heapq, fractions, numpy\nassert numpy.arange(3).sum() == 3")
    assert ev.status is Status.OK, ev.reason


def test_candidate_cannot_read_the_verifier() -> None:
    require(mount_namespace(), "mount namespaces are not permitted on this machine")
    verifier = PROBLEMS / "model_placement" / "verifier.py"
    ev = evaluate_with(f"open({str(verifier)!r}).read()")
    assert ev.status is Status.ERROR and "No such file or directory" in ev.reason
    assert str(PROBLEMS / "model_placement") in ev.final.limits["hidden_paths"]


def test_candidate_sees_no_credentials_in_home() -> None:
    require(mount_namespace(), "mount namespaces are not permitted on this machine")
    home = Path.home()
    probe = home / ".adrs-test-secret"
    probe.write_text("key")
    try:
        ev = evaluate_with(f"assert not __import__('os').path.exists({str(probe)!r}), 'seen'")
    finally:
        probe.unlink()
    assert ev.status is Status.OK, ev.reason


def test_view_script_stages_before_hiding_and_hides_nested_paths_last(tmp_path: Path) -> None:
    home = tmp_path / "home"
    venv, problem, secret = home / "venv", home / "p", home / "venv" / "secret"
    for d in (venv, problem, secret):
        d.mkdir(parents=True, exist_ok=True)
    lines = view_script(tmp_path / "work", [home, problem, secret], [venv, venv / "lib"])
    text = "\n".join(lines)
    assert text.index("mount --bind") < text.index(f"adrs-hidden {home}\n")
    assert text.index(f"adrs-hidden {home}\n") < text.index("mount --move")
    # Inside the re-exposed venv: covered after the move. Inside hidden home: nothing to do.
    assert text.rindex(f"adrs-hidden {secret}") > text.index("mount --move")
    assert f"adrs-hidden {problem}" not in text
    assert text.count("mount --bind") == 1  # venv/lib is already inside venv


def test_without_a_hidden_parent_nothing_is_remounted(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    assert view_script(tmp_path, [], [tmp_path / "x"]) == []


@pytest.mark.parametrize("name", ["heapq", "json"])
def test_reported_isolation_names_the_namespaces(name: str) -> None:
    ev = evaluate_with(f"import {name}")
    assert ev.final.limits["isolation"] == namespace_prefix()[1]


def test_a_failed_view_is_an_infrastructure_error_not_a_candidate_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require(mount_namespace(), "mount namespaces are not permitted on this machine")
    import adrs.sandbox.process as process

    monkeypatch.setattr(
        process,
        "view_script",
        lambda *a: ["mount --bind /nonexistent-adrs-path /nonexistent-target"],
    )
    with pytest.raises(process.SandboxSetupError, match="sandbox set-up failed"):
        evaluate_with("import json")


def test_world_traversable_sees_private_directories(tmp_path: Path) -> None:
    from adrs.sandbox.fsview import world_traversable

    private = tmp_path / "private"
    (private / "inner").mkdir(parents=True)
    tmp_path.chmod(0o755)
    private.chmod(0o700)
    assert not world_traversable(private / "inner")
    private.chmod(0o755)
    assert world_traversable(private / "inner") is all(
        p.stat().st_mode & 0o001 for p in [private, *private.parents] if p.is_dir()
    )
