"""Copy a job's trees into a sandbox's folder, readable (not writable) by its unprivileged
user, whatever modes the source had: a problem folder unpacked from a bundle sits in a
0700 folder of the worker's user, and the copy must not inherit that."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def copy_readable(tree: Path, target: Path) -> None:
    shutil.copytree(tree, target, ignore=shutil.ignore_patterns("__pycache__"))
    target.chmod(0o755)
    for root, dirs, files in os.walk(target):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
