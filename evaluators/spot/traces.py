"""Spot availability: the study's AWS traces and windows, and a generator fitted to them.

Availability is a string with one character per 600 s tick: ``"1"`` where spot is
available, ``"0"`` where it is not. (The trace files store the opposite: 1 = unavailable
or preempted.)

The generator is an alternating on/off process: available and unavailable spells follow
discretised log-normal lengths, fitted per trace (``fit``) to the eight AWS traces of the
study; ``PROFILES`` holds the fitted values so that synthetic windows need no data.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

WINDOWS_FILE = "windows.json"
SEARCH_PER_TRACE = 30


@dataclass(frozen=True)
class Profile:
    """Fitted on/off process: share of time available, log-normal spell lengths (ticks)."""

    available_share: float
    on_mu: float
    on_sigma: float
    off_mu: float
    off_sigma: float


# fit() of each trace in the study's data set, rounded (see tests/evaluators/spot).
PROFILES: dict[str, Profile] = {
    "us-west-2a_k80_1": Profile(0.954, 2.283, 1.670, 0.457, 0.651),
    "us-west-2a_k80_8": Profile(0.547, 1.696, 1.181, 1.499, 1.177),
    "us-west-2a_v100_1": Profile(0.687, 1.633, 1.405, 1.260, 1.084),
    "us-west-2a_v100_8": Profile(0.331, 0.954, 0.968, 1.327, 1.260),
    "us-west-2b_k80_1": Profile(0.252, 1.668, 1.144, 1.987, 1.687),
    "us-west-2b_k80_8": Profile(0.585, 1.460, 1.080, 1.088, 1.106),
    "us-west-2b_v100_1": Profile(0.595, 1.567, 1.341, 1.232, 1.303),
    "us-west-2b_v100_8": Profile(0.341, 0.836, 0.905, 1.213, 1.174),
}


def spells(avail: str) -> tuple[list[int], list[int]]:
    """Lengths of the available and the unavailable runs of a trace."""
    on: list[int] = []
    off: list[int] = []
    if not avail:
        return on, off
    current, length = avail[0], 0
    for ch in avail:
        if ch == current:
            length += 1
        else:
            (on if current == "1" else off).append(length)
            current, length = ch, 1
    (on if current == "1" else off).append(length)
    return on, off


def _log_normal(values: list[int]) -> tuple[float, float]:
    """Log-normal parameters with the spells' spread of logs and their mean length.

    Matching the mean (rather than the mean of logs) keeps each trace's share of available
    time despite the heavy tails of real outages.
    """
    logs = [math.log(v) for v in values]
    centre = sum(logs) / len(logs)
    sigma = math.sqrt(sum((x - centre) ** 2 for x in logs) / len(logs))
    return math.log(sum(values) / len(values)) - sigma * sigma / 2, sigma


def fit(avail: str) -> Profile:
    """Fit the on/off process to one availability trace."""
    on, off = spells(avail)
    if not on or not off:
        raise ValueError("a trace needs both available and unavailable spells to be fitted")
    on_mu, on_sigma = _log_normal(on)
    off_mu, off_sigma = _log_normal(off)
    return Profile(avail.count("1") / len(avail), on_mu, on_sigma, off_mu, off_sigma)


def generate(profile: Profile, ticks: int, rng: random.Random) -> str:
    """A synthetic availability window of ``ticks`` ticks."""
    parts: list[str] = []
    total = 0
    available = rng.random() < profile.available_share
    while total < ticks:
        mu, sigma = (
            (profile.on_mu, profile.on_sigma) if available else (profile.off_mu, profile.off_sigma)
        )
        length = max(1, round(math.exp(rng.gauss(mu, sigma))))
        parts.append(("1" if available else "0") * length)
        total += length
        available = not available
    return "".join(parts)[:ticks]


def load_trace(path: Path) -> str:
    """A trace file (``{"metadata": {"gap_seconds": 600}, "data": [0/1 ...]}``) as availability."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        gap, data = raw["metadata"]["gap_seconds"], raw["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a spot trace ({exc})") from None
    if gap != 600:
        raise ValueError(f"{path}: gap_seconds is {gap}, the simulator needs 600")
    if not isinstance(data, list) or not all(v in (0, 1) for v in data):
        raise ValueError(f"{path}: 'data' must be a list of 0/1 values")
    return "".join("0" if v else "1" for v in data)


def load_windows(folder: Path) -> dict[str, list[tuple[int, int, int]]]:
    """``windows.json``: per trace, the study's windows as (index, start, end) ticks."""
    path = folder / WINDOWS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))["windows"]
        out = {
            str(name): [(int(i), int(s), int(e)) for i, s, e in rows] for name, rows in raw.items()
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a windows file ({exc})") from None
    return out


def search_indices(count: int, per_trace: int = SEARCH_PER_TRACE) -> set[int]:
    """Positions of ``per_trace`` evenly spaced windows among ``count`` (the search split)."""
    if count <= per_trace:
        return set(range(count))
    return {round(j * (count - 1) / (per_trace - 1)) for j in range(per_trace)}
