"""Load a problem folder, in our format or the peers' (`initial_program.py` + `evaluator.py`)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from adrs.errors import ProblemError
from adrs.problem.spec import Limits, Objective, ProblemSpec, Stage, parse_spec
from adrs.problem.verifier import ModuleVerifier, PeerVerifier, Verifier, load_verifier_module
from adrs.source.regions import RegionError, split_regions

SEED_NAMES = {"python": "initial.py", "cuda": "initial.cu"}
KERNEL_CONTRACT = "kernel.py"  # a CUDA problem's fixed signature, launch and library reference
PEER_SEED = "initial_program.py"
PEER_EVALUATOR = "evaluator.py"
IGNORED = {"__pycache__", ".git", ".pytest_cache", ".mypy_cache"}


@dataclass(frozen=True)
class Problem:
    """A loaded problem folder: its spec, seed program, prompt and trusted verifier."""

    root: Path
    spec: ProblemSpec
    format: Literal["native", "peer"]
    seed_path: Path
    prompt: str
    driver_path: Path | None = None
    _verifier: list[Verifier] = field(default_factory=list, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def objective(self) -> Objective:
        return self.spec.objective

    @property
    def seed_source(self) -> str:
        return self.seed_path.read_text(encoding="utf-8")

    @property
    def independently_verified(self) -> bool:
        return self.format == "native"

    @cached_property
    def digest(self) -> str:
        """A hash of every file in the folder: identifies the exact problem a run used."""
        h = hashlib.sha256()
        for path in iter_files(self.root):
            h.update(str(path.relative_to(self.root)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
        return h.hexdigest()

    @property
    def verifier(self) -> Verifier:
        """The trusted verifier, imported on first use (host side only)."""
        if not self._verifier:
            if self.format == "peer":
                self._verifier.append(PeerVerifier())
            else:
                module = load_verifier_module(self.root / "verifier.py", self.digest[:16])
                self._verifier.append(ModuleVerifier(module, self.root / "verifier.py"))
        return self._verifier[0]

    @property
    def mode(self) -> str:
        """How the harness drives the candidate: function, driver, peer or cuda."""
        if self.format == "peer":
            return "peer"
        if self.spec.language == "cuda":
            return "cuda"
        return "driver" if self.driver_path is not None else "function"

    @property
    def kernel_path(self) -> Path | None:
        """The CUDA kernel contract (``kernel.py``), for CUDA problems."""
        return self.root / KERNEL_CONTRACT if self.spec.language == "cuda" else None


def iter_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED)
        for name in sorted(filenames):
            if not name.endswith((".pyc", ".pyo")):
                out.append(Path(dirpath) / name)
    return out


def is_problem_dir(path: Path) -> bool:
    return (path / "problem.toml").is_file() or (
        (path / PEER_SEED).is_file() and (path / PEER_EVALUATOR).is_file()
    )


def _require(path: Path) -> Path:
    if not path.is_file():
        raise ProblemError(f"{path}: missing file")
    return path


def _check_seed(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ProblemError(f"{path}: not UTF-8 text") from None
    try:
        split_regions(text)
    except RegionError as exc:
        raise ProblemError(f"{path}: {exc}") from None


def load_problem(path: str | Path) -> Problem:
    """Load and validate the folder's structure (the verifier is imported lazily)."""
    root = Path(path).resolve()
    if not root.exists():
        raise ProblemError(f"{path}: no such directory")
    if not root.is_dir():
        raise ProblemError(f"{path}: not a directory")
    if (root / "problem.toml").is_file():
        return _load_native(root)
    if (root / PEER_SEED).is_file() or (root / PEER_EVALUATOR).is_file():
        return _load_peer(root)
    raise ProblemError(
        f"{path}: not a problem folder (expected problem.toml, or {PEER_SEED} + {PEER_EVALUATOR})"
    )


def _load_native(root: Path) -> Problem:
    spec = parse_spec(root / "problem.toml")
    seed = _require(root / SEED_NAMES[spec.language])
    _check_seed(seed)
    _require(root / "verifier.py")
    prompt_path = _require(root / "prompt.md")
    driver = root / "driver.py"
    if spec.language != "python" and driver.is_file():
        raise ProblemError(f"{driver}: drivers are only supported for Python problems")
    if spec.language == "cuda":
        _require(root / KERNEL_CONTRACT)
    if not driver.is_file() and spec.entry is None and spec.language == "python":
        raise ProblemError(f"{root / 'problem.toml'}: missing required key 'entry' (no driver.py)")
    return Problem(
        root=root,
        spec=spec,
        format="native",
        seed_path=seed,
        prompt=prompt_path.read_text(encoding="utf-8"),
        driver_path=driver if driver.is_file() else None,
    )


def _load_peer(root: Path) -> Problem:
    seed = _require(root / PEER_SEED)
    _require(root / PEER_EVALUATOR)
    _check_seed(seed)
    limits = Limits()
    spec_path = root / "problem.toml"
    if spec_path.is_file():  # pragma: no cover - native takes precedence
        limits = parse_spec(spec_path).limits
    spec = ProblemSpec(
        name=root.name,
        objective=Objective("combined_score", "maximize"),
        stages=(Stage("evaluate", "search"),),
        entry=None,
        limits=limits,
    )
    prompt = ""
    for candidate in ("prompt.md", "system_prompt.md", "README.md"):
        if (root / candidate).is_file():
            prompt = (root / candidate).read_text(encoding="utf-8")
            break
    return Problem(root=root, spec=spec, format="peer", seed_path=seed, prompt=prompt)
