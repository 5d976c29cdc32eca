"""A problem folder packed on the driver unpacks on a node into the same problem."""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from adrs.errors import ProblemError
from adrs.execute.bundle import pack_problem, unpack_problem
from adrs.problem.loader import load_problem


def test_unpacked_bundle_is_the_same_problem(
    make_problem: Callable[..., Path], tmp_path: Path
) -> None:
    root = make_problem()
    (root / "data").mkdir()
    (root / "data" / "trace.bin").write_bytes(bytes(range(256)) * 10)
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "junk.pyc").write_bytes(b"ignored")
    problem = load_problem(root)
    fetched: list[int] = []

    def fetch() -> bytes:
        fetched.append(1)
        return pack_problem(problem)

    unpacked = unpack_problem(problem.digest, fetch, tmp_path / "cache")
    assert unpacked.digest == problem.digest
    assert unpacked.root == tmp_path / "cache" / problem.digest
    assert (unpacked.root / "data" / "trace.bin").read_bytes() == bytes(range(256)) * 10
    assert not (unpacked.root / "__pycache__").exists()
    again = unpack_problem(problem.digest, fetch, tmp_path / "cache")
    assert again.root == unpacked.root and len(fetched) == 1  # a node fetches it once


def test_a_damaged_unpacked_folder_is_replaced(
    make_problem: Callable[..., Path], tmp_path: Path
) -> None:
    problem = load_problem(make_problem())
    first = unpack_problem(problem.digest, lambda: pack_problem(problem), tmp_path)
    (first.root / "verifier.py").write_text("def cases(split, seed):\n    return []\n")
    second = unpack_problem(problem.digest, lambda: pack_problem(problem), tmp_path)
    assert second.digest == problem.digest
    assert (second.root / "verifier.py").read_text() == (problem.root / "verifier.py").read_text()


def test_a_bundle_that_escapes_its_folder_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escaped.py")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ProblemError, match=re.escape("refusing member '../escaped.py'")):
        unpack_problem("0" * 64, buffer.getvalue, tmp_path / "cache")
    assert not (tmp_path / "escaped.py").exists()
