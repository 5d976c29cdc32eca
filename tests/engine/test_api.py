import io
from pathlib import Path

import pytest

from adrs import api
from adrs.cli.progress import ProgressPrinter
from adrs.engine.loop import Progress
from adrs.errors import ArchiveError
from tests.conftest import PROBLEMS


def test_python_api_mirrors_the_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "nb.db")
    seen: list[Progress] = []
    result = api.run(
        str(PROBLEMS / "model_placement"),
        db=db,
        iterations=6,
        seed=4,
        executor="inline",
        on_progress=seen.append,
    )
    assert seen and seen[-1].stop_reason == "completed 6 iterations"
    assert api.runs(db)[0]["id"] == result.run_id
    assert len(api.programs(result.run_id, db)) == 7
    assert api.best_program(result.run_id, db).score == result.best_score
    resumed = api.resume(result.run_id, db=db, iterations=9, budget_usd=1.0)
    assert len(api.programs(result.run_id, db)) == 10 and resumed.run_id == result.run_id
    assert resumed.metric == result.metric == "max_kvpr"
    assert api.runs(db)[0]["settings"]["budget_usd"] == 1.0
    with pytest.raises(ArchiveError, match="no such database file"):
        api.resume(result.run_id, db=str(tmp_path / "typo.db"))
    assert not (tmp_path / "typo.db").exists()


def test_progress_prints_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    printer = ProgressPrinter(stream=out, interval_s=0)
    printer(
        Progress(
            run_id="r1",
            proposed=3,
            total=10,
            evaluated=2,
            in_flight=1,
            statuses={"ok": 1, "timeout": 1},
            best=0.5,
            seed=1.0,
            cost_usd=0.0,
            elapsed_s=2.0,
            rate=1.0,
        )
    )
    line = out.getvalue()
    assert line.endswith("\n") and "\r" not in line
    assert "3/10 proposed" in line and "t/o 1" in line and "-50.00%" in line
