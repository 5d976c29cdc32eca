"""A problem folder as bytes, so that it travels with remote tasks to nodes that share no
filesystem with the driver, and is unpacked there once per node and checked by digest."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from adrs.errors import ProblemError
from adrs.problem.loader import Problem, iter_files, load_problem

CACHE_DIR_ENV = "ADRS_PROBLEM_CACHE"


def pack_problem(problem: Problem) -> bytes:
    """A gzipped tar of exactly the files that make up the problem's digest."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for path in iter_files(problem.root):
            data = path.read_bytes()
            info = tarfile.TarInfo(path.relative_to(problem.root).as_posix())
            info.size = len(data)
            # Same bytes give the same archive: no owners or times from this host.
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def cache_root() -> Path:
    """Where this node keeps unpacked problem folders (``$ADRS_PROBLEM_CACHE`` or a temp dir)."""
    configured = os.environ.get(CACHE_DIR_ENV)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "adrs-problems"


def _safe_member(member: tarfile.TarInfo) -> PurePosixPath:
    name = PurePosixPath(member.name)
    if not member.isfile() or name.is_absolute() or ".." in name.parts or not name.parts:
        raise ProblemError(f"problem bundle: refusing member {member.name!r}")
    return name


def _extract(data: bytes, target: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = _safe_member(member)
            source = tar.extractfile(member)
            assert source is not None  # a regular file always has content
            path = target.joinpath(*name.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source.read())
            path.chmod(member.mode & 0o755)


def unpack_problem(digest: str, fetch: Callable[[], bytes], root: Path | None = None) -> Problem:
    """The problem with ``digest``, unpacked under ``root/<digest>`` from ``fetch()`` unless
    this node already holds it.

    The folder is written beside its final place and renamed into it, so that concurrent
    workers on one node never see a half-written folder; its digest is checked on load and
    a folder that does not match (edited by hand, damaged) is unpacked again.
    """
    target = (root or cache_root()) / digest
    for attempt in range(2):
        if not target.is_dir():
            _install(fetch(), target)
        problem = load_problem(target)
        if problem.digest == digest:
            return problem
        if attempt == 0:
            shutil.rmtree(target, ignore_errors=True)
    raise ProblemError(
        f"{target}: unpacked problem folder has digest {problem.digest[:12]}, "
        f"expected {digest[:12]}"
    )


def _install(data: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name[:12]}-", dir=target.parent))
    try:
        _extract(data, staging)
        try:
            staging.rename(target)
        except OSError:
            if not target.is_dir():  # not a lost race with another worker: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
