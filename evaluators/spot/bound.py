"""The hindsight-optimal cost of one job on one window: a bound no policy can beat.

Dynamic programming over (tick, progress, instance state) with the whole availability
window known in advance, under exactly the rules of :mod:`evaluators.spot.market`
(including the safety rule, which binds every policy). Progress is counted in units of
``gcd(tick, restart overhead, job)`` seconds, so the recursion is exact: every amount of
work a tick can add is a whole number of units.

Instance states: none; or spot / on demand having run m ticks since its launch
(m = 1..K, K = ticks until the restart overhead is paid; m = K also means "longer"). A
state the safety rule has taken over runs on demand to the end, so its cost to go is
known in closed form and it leaves the recursion at once.

Windows are processed in batches (one row per window) so that the per-tick work is a few
array operations for many windows at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluators.spot.market import PRICE_PER_H, Scenario

INF = math.inf
BATCH = 64  # windows per batch: bounds the memory to a few MB per state array


@dataclass(frozen=True)
class _Grid:
    """The discretisation of one scenario."""

    unit: int  # seconds of work per progress unit
    units: int  # progress units in the job
    k_max: int  # ticks after a launch by which its overhead is paid
    owed: tuple[int, ...]  # overhead still owed m ticks after a launch (m = 0..K)
    gain: tuple[int, ...]  # progress units a tick adds m ticks after a launch
    left_s: np.ndarray  # work left (seconds) at each progress unit

    @classmethod
    def of(cls, sc: Scenario) -> _Grid:
        unit = math.gcd(math.gcd(sc.gap_s, sc.overhead_s), sc.job_s)
        k_max = max(1, math.ceil(sc.overhead_s / sc.gap_s))
        owed = tuple(max(0, sc.overhead_s - m * sc.gap_s) for m in range(k_max + 1))
        gain = tuple((sc.gap_s - min(sc.gap_s, o)) // unit for o in owed)
        units = sc.job_s // unit
        left = sc.job_s - np.arange(units, dtype=np.float64) * unit
        return cls(unit, units, k_max, owed, gain, left)


def _run_tick(
    grid: _Grid,
    src: np.ndarray,
    dest: np.ndarray,
    m: int,
    price_s: float,
    gap: int,
    band: tuple[int, int],
) -> np.ndarray:
    """Run one tick on an instance from states ``src[:, lo:hi]`` launched m ticks ago.

    States that do not finish move ``gain[m]`` units up into ``dest``; returns, per window,
    the least total cost of the states that finish the job within this tick (billed pro
    rata).
    """
    lo, hi = band
    step = grid.gain[m]
    finish_from = max(lo, grid.units - step)
    finished = np.full(src.shape[0], INF)
    if finish_from < hi:
        paid = price_s * (min(gap, grid.owed[m]) + grid.left_s[finish_from:hi])
        finished = np.min(src[:, finish_from:hi] + paid, axis=1)
    stop = min(hi, finish_from)
    if stop > lo:
        target = dest[:, lo + step : stop + step]
        np.minimum(target, src[:, lo:stop] + price_s * gap, out=target)
    return finished


def _batch(windows: Sequence[str], scenario: Scenario) -> np.ndarray:
    grid = _Grid.of(scenario)
    gap, overhead, k = scenario.gap_s, scenario.overhead_s, grid.k_max
    price_spot, price_od = PRICE_PER_H["S"] / 3600, PRICE_PER_H["D"] / 3600
    rows, units, span = len(windows), grid.units, gap // grid.unit
    ticks = -(-scenario.deadline_s // gap)
    avail = np.zeros((ticks, rows), dtype=bool)
    for r, window in enumerate(windows):
        seen = np.frombuffer(window[:ticks].encode("ascii"), dtype=np.uint8) == ord("1")
        avail[: len(seen), r] = seen

    # Two generations of state arrays, reused: [none, spot m=1..K, on demand m=1..K].
    # Only progress in [lo, hi + span) is live at a tick; the rest is never read.
    gens = [[np.full((rows, units), INF) for _ in range(1 + 2 * k)] for _ in range(2)]
    launch = np.full((rows, units), INF)
    cur = gens[0]
    cur[0][:, 0] = 0.0
    best = np.full(rows, INF)
    live = 0  # progress below this is dead (already closed by the safety rule)
    for t in range(ticks):
        none, spot_m, od_m = cur[0], cur[1 : 1 + k], cur[1 + k :]
        up = avail[t]
        down = ~up
        hi = min(units, (t + 1) * span + 1)  # at most t ticks of work
        if down.any():  # preempted: a spot instance is gone
            for arr in spot_m:
                np.minimum(
                    none[:, live:hi], arr[:, live:hi], out=none[:, live:hi], where=down[:, None]
                )
                arr[down, live:hi] = INF
        # The safety rule: progress <= forced_upto runs on demand to the end.
        forced_upto = (scenario.job_s + overhead + gap + t * gap - scenario.deadline_s) // grid.unit
        lo = max(live, min(units, forced_upto + 1))
        if lo > live:
            tail = grid.left_s[live:lo]
            for arr in (none, *spot_m):
                ends = np.min(arr[:, live:lo] + price_od * (overhead + tail), axis=1)
                np.minimum(best, ends, out=best)
            for m, arr in enumerate(od_m, start=1):
                ends = np.min(arr[:, live:lo] + price_od * (grid.owed[m] + tail), axis=1)
                np.minimum(best, ends, out=best)
            live = lo
        if lo >= units:
            break
        if lo >= hi:
            continue
        band = (lo, hi)
        top = min(units, hi + span)
        nxt = gens[1] if cur is gens[0] else gens[0]
        for arr in nxt:
            arr[:, lo:top] = INF
        new_none, new_spot, new_od = nxt[0], nxt[1 : 1 + k], nxt[1 + k :]
        new_none[:, lo:hi] = none[:, lo:hi]
        for arr in (*spot_m, *od_m):
            np.minimum(new_none[:, lo:hi], arr[:, lo:hi], out=new_none[:, lo:hi])
        launch[:, lo:hi] = none[:, lo:hi]  # launching on demand: from none or from spot
        for arr in spot_m:
            np.minimum(launch[:, lo:hi], arr[:, lo:hi], out=launch[:, lo:hi])
        np.minimum(best, _run_tick(grid, launch, new_od[0], 0, price_od, gap, band), out=best)
        for m, arr in enumerate(od_m, start=1):
            dest = new_od[min(m + 1, k) - 1]
            np.minimum(best, _run_tick(grid, arr, dest, m, price_od, gap, band), out=best)
        if up.any():
            launch[:, lo:hi] = none[:, lo:hi]  # launching spot: from none or from on demand
            for arr in od_m:
                np.minimum(launch[:, lo:hi], arr[:, lo:hi], out=launch[:, lo:hi])
            finished = _run_tick(grid, launch, new_spot[0], 0, price_spot, gap, band)
            for m, arr in enumerate(spot_m, start=1):
                dest = new_spot[min(m + 1, k) - 1]
                ends = _run_tick(grid, arr, dest, m, price_spot, gap, band)
                np.minimum(finished, ends, out=finished)
            np.minimum(best, np.where(up, finished, INF), out=best)
            for arr in new_spot:
                arr[down, lo:top] = INF  # no spot where it is unavailable
        cur = nxt
    return best


def hindsight_costs(windows: Sequence[str], scenario: Scenario) -> list[float]:
    """Least cost, in dollars, of finishing the job on each window (``"1"`` = available)."""
    out: list[float] = []
    for start in range(0, len(windows), BATCH):
        out.extend(float(c) for c in _batch(windows[start : start + BATCH], scenario))
    return out


def hindsight_cost(spot: str, scenario: Scenario) -> float:
    """Least cost, in dollars, of finishing the job on one window."""
    return hindsight_costs([spot], scenario)[0]
