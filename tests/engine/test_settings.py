from pathlib import Path

import pytest

from adrs.engine.settings import RunSettings, apply_overrides, load_config_file
from adrs.errors import ConfigError


def test_config_file_under_run_table_applies(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[run]\niterations = 7\nislands = 3\nmodels = 'offline'\n")
    s = apply_overrides(RunSettings(), load_config_file(path), str(path)).check()
    assert (s.iterations, s.islands, s.models) == (7, 3, ["offline"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("iterations = 'many'\n", "'iterations' must be an integer"),
        ("colour = 1\n", "unknown setting 'colour'"),
        ("islands = [\n", "not valid TOML"),
        ("[run]\niterations = 1\n[other]\nx = 1\n", "unknown table or key 'other'"),
    ],
)
def test_corrupt_config_is_one_line_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as err:
        load_config_file(path)  # the file alone is blamed, before any merge with the CLI
    assert "\n" not in str(err.value) and str(err.value).startswith(f"{path}: ")


def test_range_checks() -> None:
    with pytest.raises(ConfigError, match="'exploration' \\+ 'exploitation'"):
        apply_overrides(RunSettings(), {"exploration": 0.7, "exploitation": 0.7}, "x").check()
    with pytest.raises(ConfigError, match="'selection' must be one of"):
        apply_overrides(RunSettings(), {"selection": "best"}, "x").check()
    with pytest.raises(ConfigError, match="config file not found"):
        load_config_file("/nonexistent/run.toml")


def test_default_executor_is_ray_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ADRS_EXECUTOR", raising=False)
    assert RunSettings().executor == "ray"
    monkeypatch.setenv("ADRS_EXECUTOR", "inline")
    assert RunSettings().executor == "inline"
