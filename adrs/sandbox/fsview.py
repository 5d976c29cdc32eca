"""The process backend's filesystem view, built in a private mount namespace.

Paths that must stay out of the candidate's sight (the user's home with its credentials,
the problem folder with the verifier and held-out data) are covered by empty tmpfs mounts;
what the harness needs from under them (the interpreter, the virtual environment, the
``evaluators`` package) is bind-mounted back read-only. This also lets a candidate that
runs under an unprivileged uid import the standard library when the interpreter lives in a
home directory that only its owner may enter (pyenv under /root, for example).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterable
from pathlib import Path

import evaluators

HIDDEN_FS = "adrs-hidden"


def _inside(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def world_traversable(path: Path) -> bool:
    """Whether any uid can reach ``path``: every directory on the way is o+x."""
    for part in [path, *path.parents]:
        try:
            mode = part.stat().st_mode
        except OSError:
            return False
        if part.is_dir() and not mode & 0o001:
            return False
    return True


def needed_paths() -> list[Path]:
    """What the harness reads after start-up: interpreter, venv, the evaluators package."""
    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(evaluators.__file__).parent}
    return sorted({p.resolve() for p in paths})


def default_hidden() -> list[Path]:
    home = Path.home().resolve()
    return [home] if home != Path("/") and home.is_dir() else []


def view_script(workdir: Path, hidden: Iterable[Path], needed: Iterable[Path]) -> list[str]:
    """Shell lines that build the view; run as root inside the new mount namespace.

    Order matters: stage the needed paths, cover the hidden ones, move the staged paths
    back into place (read-only), then cover hidden paths that lie inside them.
    """
    hide = sorted({p.resolve() for p in hidden if p.is_dir()})
    wanted = [p for p in needed if p.exists() and any(_inside(p, h) for h in hide)]
    expose = [p for p in wanted if not any(q != p and _inside(p, q) for q in wanted)]
    # A hidden path inside a re-exposed one is covered after the move; one inside another
    # hidden path (and not re-exposed) is already invisible and needs nothing.
    inner = [h for h in hide if any(_inside(h, e) for e in expose)]
    outer = [h for h in hide if h not in inner and not any(o != h and _inside(h, o) for o in hide)]
    q = shlex.quote
    lines = []
    stages = []
    for i, path in enumerate(expose):
        stage = workdir / ".view" / str(i)
        stages.append(stage)
        lines += [f"mkdir -p {q(str(stage))}", f"mount --bind {q(str(path))} {q(str(stage))}"]
    for path in outer:
        lines.append(f"mount -t tmpfs -o size=64k,mode=755 {HIDDEN_FS} {q(str(path))}")
    for path, stage in zip(expose, stages, strict=True):
        lines += [
            f"mkdir -p {q(str(path))}",
            f"mount --move {q(str(stage))} {q(str(path))}",
            f"mount -o remount,bind,ro {q(str(path))}",
        ]
    for path in inner:
        lines.append(f"mount -t tmpfs -o size=64k,mode=755 {HIDDEN_FS} {q(str(path))}")
    return lines
