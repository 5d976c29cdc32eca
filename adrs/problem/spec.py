"""`problem.toml`: what a problem declares, parsed strictly with one-line errors."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from adrs.errors import ProblemError

Direction = Literal["minimize", "maximize"]
LANGUAGES = ("python", "cuda")
SPLITS = ("search", "heldout")


@dataclass(frozen=True)
class Objective:
    """The metric the search optimises and which way is better."""

    metric: str
    direction: Direction

    def better(self, a: float, b: float) -> bool:
        """True when score ``a`` is strictly better than ``b``."""
        return a < b if self.direction == "minimize" else a > b

    def fitness(self, score: float) -> float:
        """A value where larger is always better, for selection."""
        return -score if self.direction == "minimize" else score


@dataclass(frozen=True)
class Stage:
    """One step of the evaluation cascade: the first ``cases`` cases of ``split``.

    ``threshold`` (in objective units): the cascade goes on to the next stage only when
    this stage's score is at least as good as it.
    """

    name: str
    split: str
    cases: int | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed stage run."""

    timeout_s: float = 60.0
    cpu_s: float | None = None  # defaults to timeout_s
    memory_mb: int = 2048
    output_mb: float = 16.0
    log_kb: int = 64
    processes: int = 64
    open_files: int = 256
    disk_mb: int = 256

    @property
    def effective_cpu_s(self) -> float:
        return self.cpu_s if self.cpu_s is not None else self.timeout_s


@dataclass(frozen=True)
class SandboxNeeds:
    """What a problem's sandbox image must carry."""

    image: str = "adrs-python:latest"
    packages: tuple[str, ...] = ()
    gpu: bool = False


@dataclass(frozen=True)
class ProblemSpec:
    """Everything `problem.toml` declares (or, for peer folders, what is inferred)."""

    name: str
    objective: Objective
    stages: tuple[Stage, ...]
    entry: str | None = None
    language: str = "python"
    description: str = ""
    case_seed: int = 0
    limits: Limits = field(default_factory=Limits)
    sandbox: SandboxNeeds = field(default_factory=SandboxNeeds)
    features: tuple[str, ...] = ("complexity",)
    settings: dict[str, Any] = field(default_factory=dict)


class _Reader:
    """Typed access to a TOML table that names the file and key in every error."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where
        self.seen: set[str] = set()

    def fail(self, msg: str) -> ProblemError:
        return ProblemError(f"{self.where}: {msg}")

    def get(
        self,
        key: str,
        kind: type | tuple[type, ...],
        default: Any = ...,
        *,
        label: str | None = None,
    ) -> Any:
        self.seen.add(key)
        name = label or key
        if key not in self.data:
            if default is ...:
                raise self.fail(f"missing required key '{name}'")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(f"'{name}' must be {_kind_name(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(f"'{name}' must be {_kind_name(kinds)}, got {value!r}")
        return value

    def table(self, key: str) -> _Reader:
        value = self.get(key, dict, {})
        return _Reader(value, f"{self.where} [{key}]")

    def reject_unknown(self, allowed_extra: tuple[str, ...] = ()) -> None:
        unknown = sorted(set(self.data) - self.seen - set(allowed_extra))
        if unknown:
            raise self.fail(f"unknown key '{unknown[0]}'")


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _positive(reader: _Reader, key: str, value: float | None) -> None:
    if value is not None and value <= 0:
        raise reader.fail(f"'{key}' must be positive, got {value}")


def parse_spec(path: Path) -> ProblemSpec:
    """Parse and validate a `problem.toml`."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProblemError(f"{where}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError(f"{where}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ProblemError(f"{where}: not UTF-8 text") from None
    return spec_from_mapping(data, where)


def spec_from_mapping(data: dict[str, Any], where: str) -> ProblemSpec:
    root = _Reader(data, where)
    name = root.get("name", str)
    if not name.strip():
        raise root.fail("'name' must not be empty")
    language = root.get("language", str, "python")
    if language not in LANGUAGES:
        raise root.fail(f"'language' must be one of {', '.join(LANGUAGES)}, got {language!r}")
    entry = root.get("entry", str, None)
    if entry is not None and not entry.isidentifier():
        raise root.fail(f"'entry' must be a function name, got {entry!r}")

    obj = root.table("objective")
    metric = obj.get("metric", str, label="objective.metric")
    direction = obj.get("direction", str, label="objective.direction")
    if direction not in ("minimize", "maximize"):
        raise obj.fail(f"'direction' must be 'minimize' or 'maximize', got {direction!r}")
    obj.reject_unknown()

    root.seen.add("stages")
    raw_stages = data.get("stages")
    if raw_stages is None:
        raw_stages = [{"name": "full", "split": "search"}]
    if not isinstance(raw_stages, list) or not raw_stages:
        raise root.fail("'stages' must be a non-empty array of tables ([[stages]])")
    stages = []
    for i, raw in enumerate(raw_stages):
        if not isinstance(raw, dict):
            raise root.fail(f"stages[{i}] must be a table")
        st = _Reader(raw, f"{where} [[stages]] #{i + 1}")
        split = st.get("split", str, "search")
        if split not in SPLITS:
            raise st.fail(f"'split' must be one of {', '.join(SPLITS)}, got {split!r}")
        count = st.get("cases", int, None)
        _positive(st, "cases", count)
        threshold = st.get("threshold", float, None)
        stages.append(Stage(st.get("name", str, f"stage{i + 1}"), split, count, threshold))
        st.reject_unknown()
    if len({s.name for s in stages}) != len(stages):
        raise root.fail("stage names must be unique")
    if stages[-1].threshold is not None:
        raise root.fail(f"the last stage '{stages[-1].name}' cannot have a threshold")

    lim = root.table("limits")
    limits = Limits(
        timeout_s=lim.get("timeout_s", float, Limits.timeout_s),
        cpu_s=lim.get("cpu_s", float, None),
        memory_mb=lim.get("memory_mb", int, Limits.memory_mb),
        output_mb=lim.get("output_mb", float, Limits.output_mb),
        log_kb=lim.get("log_kb", int, Limits.log_kb),
        processes=lim.get("processes", int, Limits.processes),
        open_files=lim.get("open_files", int, Limits.open_files),
        disk_mb=lim.get("disk_mb", int, Limits.disk_mb),
    )
    for key in (
        "timeout_s",
        "cpu_s",
        "memory_mb",
        "output_mb",
        "log_kb",
        "processes",
        "open_files",
        "disk_mb",
    ):
        _positive(lim, key, getattr(limits, key))
    lim.reject_unknown()

    sb = root.table("sandbox")
    packages = sb.get("packages", list, [])
    if not all(isinstance(p, str) for p in packages):
        raise sb.fail("'packages' must be a list of strings")
    sandbox = SandboxNeeds(
        image=sb.get("image", str, SandboxNeeds.image),
        packages=tuple(packages),
        gpu=sb.get("gpu", bool, False),
    )
    sb.reject_unknown()

    features = root.get("features", list, ["complexity"])
    if not features or not all(isinstance(f, str) and f for f in features):
        raise root.fail("'features' must be a non-empty list of feature names")

    settings = root.get("settings", dict, {})
    spec = ProblemSpec(
        name=name,
        objective=Objective(metric, direction),
        stages=tuple(stages),
        entry=entry,
        language=language,
        description=root.get("description", str, ""),
        case_seed=root.get("case_seed", int, 0),
        limits=limits,
        sandbox=sandbox,
        features=tuple(features),
        settings=settings,
    )
    root.reject_unknown()
    return spec
