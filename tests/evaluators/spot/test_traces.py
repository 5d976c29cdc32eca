"""Availability traces: the study's windows and the on/off generator fitted to them."""

import random
from pathlib import Path

import pytest

from evaluators.spot import traces


def test_spells_split_a_trace_into_runs() -> None:
    assert traces.spells("1100011") == ([2, 2], [3])
    assert traces.spells("") == ([], [])


def test_generator_is_seeded_and_follows_its_profile() -> None:
    profile = traces.PROFILES["us-west-2a_k80_8"]
    a = traces.generate(profile, 554, random.Random(1))
    assert a == traces.generate(profile, 554, random.Random(1)) and len(a) == 554
    long = traces.generate(profile, 200_000, random.Random(2))
    assert long.count("1") / len(long) == pytest.approx(profile.available_share, abs=0.03)


def test_search_split_takes_thirty_evenly_spaced_windows() -> None:
    chosen = traces.search_indices(300)
    assert len(chosen) == 30 and min(chosen) == 0 and max(chosen) == 299
    assert traces.search_indices(12) == set(range(12))


def test_malformed_trace_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text('{"metadata": {"gap_seconds": 300}, "data": [0, 1]}')
    with pytest.raises(ValueError, match=r"t\.json: gap_seconds is 300"):
        traces.load_trace(bad)
    bad.write_text('{"metadata": {"gap_seconds": 600}, "data": [0, 2]}')
    with pytest.raises(ValueError, match="'data' must be a list of 0/1 values"):
        traces.load_trace(bad)
    with pytest.raises(ValueError, match="not a windows file"):
        traces.load_windows(tmp_path)
