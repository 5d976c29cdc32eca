"""The answer pool both systems draw from, and the population both start from at scale.

The stub model answers turn ``k`` (its k-th request) with one SEARCH/REPLACE block that
rewrites the ``PARAMS = (...)`` line of the program the prompt calls current, to the k-th
entry of a fixed, seeded list of weights. Whatever parent a system chose, the answer
applies to it, and both systems see the same sequence of edits. Two entries can be
replaced by a candidate that never terminates (``hang_at``) and one that allocates without
bound (``hog_at``), for the containment run.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

PROBLEM = Path(__file__).resolve().parent / "problem"
SEED_SOURCE = (PROBLEM / "initial_program.py").read_text(encoding="utf-8")
SEED_PARAMS = "PARAMS = (1.0, 0.0, 1.0)"

# OpenEvolve titles the program to improve "# Current Program", ours "## Current program
# (program ID)"; both show it in the first fenced block after that title.
_CURRENT = re.compile(r"^#{1,2} Current [Pp]rogram(?: \(program [0-9a-f]+\))?[ \t]*$", re.M)
_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)
_PARAMS = re.compile(r"^PARAMS = .*$", re.M)

HANG = "while True:  # a candidate that never terminates\n    pass"
HOG = (
    "_hog = []\n"
    "while True:  # a candidate that allocates without bound\n"
    '    _hog.append(b"x" * (64 << 20))'
)


def kind_of(source: str) -> str:
    """Which of the pool's candidates a program is: "hang", "hog" or "plain"."""
    if HANG.splitlines()[0] in source:
        return "hang"
    if HOG.splitlines()[1] in source:
        return "hog"
    return "plain"


def params_line(turn: int) -> str:
    """The weights of turn ``turn``: the same list for every run and both systems."""
    rng = random.Random(7919 * turn + 17)
    size_w = round(rng.uniform(0.0, 2.0), 3)
    demand_w = round(rng.uniform(0.0, 2.0), 3)
    free_exp = round(rng.uniform(0.5, 2.0), 3)
    return f"PARAMS = ({size_w}, {demand_w}, {free_exp})"


def current_params(prompt: str) -> str | None:
    """The ``PARAMS`` line of the program the prompt asks to improve, if it shows one."""
    titles = list(_CURRENT.finditer(prompt))
    if not titles:
        return None
    fence = _FENCE.search(prompt, titles[-1].end())
    if fence is None:
        return None
    found = _PARAMS.search(fence.group(1))
    return found.group(0) if found else None


def answer(prompt: str, turn: int, *, hang_at: int = -1, hog_at: int = -1) -> str:
    """The stub's reply text for its ``turn``-th request."""
    search = current_params(prompt)
    if search is None:
        return "I cannot find the PARAMS line of the current program, so I change nothing."
    replace = params_line(turn)
    if turn == hang_at:
        replace += "\n" + HANG
    elif turn == hog_at:
        replace += "\n" + HOG
    return (
        "Re-weighting the size, demand and free-memory terms of the greedy's cost.\n\n"
        f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"
    )


def population(size: int, seed_score: float) -> list[dict[str, object]]:
    """``size`` distinct variants of the seed with scores below the seed's (deterministic).

    They stand for a long run's archive: real code, synthetic scores, the same for both
    systems, so that their per-iteration costs at this population size can be compared.
    """
    rng = random.Random(size)
    programs = []
    for i in range(size):
        line = f"PARAMS = ({i + 1}.{rng.randrange(1000):03d}, 0.0, 1.0)"
        programs.append(
            {
                "source": SEED_SOURCE.replace(SEED_PARAMS, line),
                "score": round(seed_score * (0.55 + 0.4 * rng.random()), 6),
            }
        )
    return programs


def write_population(path: Path, size: int, seed_score: float) -> Path:
    path.write_text(json.dumps(population(size, seed_score)), encoding="utf-8")
    return path
