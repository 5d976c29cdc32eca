"""A folder in the peers' format runs unchanged, inside the sandbox, marked unverified."""

from __future__ import annotations

from pathlib import Path

from adrs.archive.store import Archive
from adrs.engine.runner import start_run

SEED = """
# EVOLVE-BLOCK-START
def area(w, h):
    return w + h
# EVOLVE-BLOCK-END
"""

EVALUATOR = """
import importlib.util

def evaluate(program_path):
    spec = importlib.util.spec_from_file_location("prog", program_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with open("target.txt") as fh:  # peers' evaluators read files next to them
        target = float(fh.read())
    got = mod.area(3, 4)
    return {"combined_score": -abs(got - target), "got": got}
"""


def test_peer_folder_runs_with_its_evaluator_in_the_sandbox(tmp_path: Path) -> None:
    root = tmp_path / "peer"
    root.mkdir()
    (root / "initial_program.py").write_text(SEED)
    (root / "evaluator.py").write_text(EVALUATOR)
    (root / "target.txt").write_text("12")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    result = start_run(root, {"iterations": 40, "seed": 2, "executor": "inline"}, db=db)
    archive = Archive(db)
    run = archive.get_run(result.run_id)
    assert run.verified is False and run.objective_metric == "combined_score"
    assert result.seed_score == -5.0
    assert result.best_score is not None and result.best_score > result.seed_score
    seed = archive.get_program(run.seed_program_id or "")
    evaluation = archive.evaluations(seed.id)[0]
    assert "not independently verified" in evaluation.reason
    assert evaluation.backend == run.sandbox_backend in ("process", "docker")
