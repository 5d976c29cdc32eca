"""Trusted verifier for spot scheduling: replays every decision log and prices it.

Each case is one availability window; the policy runs the study's nine jobs on it
(deadlines 52, 70, 92 h x restart overheads 0.02, 0.2, 0.4 h; a 48 h job). The sandbox
returns only decision logs; the host replays them (``evaluators/spot/market.py``),
rejects any decision the simulator would not have allowed, and computes the cost itself.
A missed deadline cannot happen (the safety rule), and a log that claims otherwise is
invalid, not cheap.

Peeking at the future: the window's whole availability is inside the sandbox (the
simulator loop runs there), so each case also carries a twin run: the same job on a copy
of the window in which spot never returns after a hidden tick (chosen during an outage).
A policy that only uses what it has seen makes identical decisions on both up to that
tick; one that reads ahead is rejected. (A program that deliberately hunts for the twin
could still evade this check: it is a tripwire for peeking, not a proof against it.)

Workloads: synthetic windows from an on/off process fitted to the study's eight AWS traces
by default. With ``ADRS_DATA_DIR`` holding ``spot/`` (the traces and the study's 300
windows per trace), ``search`` is 30 evenly spaced windows per trace and ``heldout`` the
other 270.
"""

from __future__ import annotations

import random
from pathlib import Path

from evaluators.data_dir import problem_data
from evaluators.spot import market, traces
from evaluators.verdict import InvalidOutput

WINDOW_TICKS = 554  # the study's windows: 92.3 h
SYNTHETIC_PER_PROFILE = {"search": 10, "heldout": 30}
TWIN_FROM = (36, 300)  # the hidden tick, in ticks (6 h to 50 h)
SCENARIOS = market.study_scenarios()

_greedy_cache: dict[tuple[str, str], float] = {}


def _twin_cut(window: str, rng: random.Random) -> int:
    """The tick from which the twin's availability differs.

    Preferably a tick right after an outage began, with spot back soon in the real window:
    a policy consulted during that outage decides between waiting and paying for on demand,
    which is exactly where knowing the future would change its answer.
    """
    lo, hi = TWIN_FROM
    telling = [t for t in range(lo, hi) if window[t - 1] == "0" and "1" in window[t : t + 12]]
    return rng.choice(telling) if telling else rng.randint(lo, hi)


def _case(case_id: str, window: str, rng: random.Random) -> dict:
    cut = _twin_cut(window, rng)
    twin = window[:cut] + "0" * (len(window) - cut)
    runs: list[list[float]] = [[0, sc.deadline_s / 3600, sc.overhead_s / 3600] for sc in SCENARIOS]
    of = rng.randrange(len(runs))
    at = rng.randrange(len(runs) + 1)
    runs.insert(at, [1, runs[of][1], runs[of][2]])
    primary = [i for i in range(len(runs)) if i != at]
    return {
        "id": case_id,
        "input": {"spot": [window, twin], "runs": runs},
        "primary": primary,
        "twin": {"run": at, "of": primary[of], "from_tick": cut},
    }


def _interleave(groups: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """Round-robin over groups, so that any prefix of the cases covers every trace."""
    out = []
    longest = max(len(g) for g in groups.values())
    for j in range(longest):
        for name in sorted(groups):
            if j < len(groups[name]):
                out.append(groups[name][j])
    return out


def _synthetic(split: str, seed: int) -> list[tuple[str, str]]:
    groups = {}
    for name, profile in traces.PROFILES.items():
        rows = []
        for i in range(SYNTHETIC_PER_PROFILE[split]):
            rng = random.Random(f"spot_scheduling:{seed}:{split}:{name}:{i}")
            window = traces.generate(profile, WINDOW_TICKS, rng)
            rows.append((f"syn-{split}-{name}-{i:02d}", window))
        groups[name] = rows
    return _interleave(groups)


def _real(split: str, folder: Path) -> list[tuple[str, str]]:
    groups = {}
    for name, rows in sorted(traces.load_windows(folder).items()):
        avail = traces.load_trace(folder / f"{name}.json")
        chosen = traces.search_indices(len(rows))
        groups[name] = [
            (f"{name}-w{index:03d}", avail[start:end])
            for pos, (index, start, end) in enumerate(rows)
            if (pos in chosen) == (split == "search")
        ]
    return _interleave(groups)


def cases(split: str, seed: int) -> list[dict]:
    """Real windows when a data directory has ``spot/``, else synthetic ones."""
    folder = problem_data("spot")
    windows = _real(split, folder) if folder is not None else _synthetic(split, seed)
    out = []
    for case_id, window in windows:
        if len(window) < WINDOW_TICKS - 2:
            raise ValueError(f"window {case_id} has {len(window)} ticks, fewer than 552")
        out.append(_case(case_id, window, random.Random(f"spot_scheduling:twin:{case_id}")))
    return out


def _greedy_cost(case: dict) -> float:
    """Mean cost of the greedy reference policy on the case (cached: it never changes)."""
    window = case["input"]["spot"][0]
    key = (case["id"], window)
    if key not in _greedy_cache:
        total = 0.0
        for sc in SCENARIOS:
            total += market.replay(window, sc, market.run_policy(window, sc, market.greedy)).cost
        _greedy_cache[key] = total / len(SCENARIOS)
    return _greedy_cache[key]


def _check_twin(case: dict, logs: list[str]) -> None:
    twin = case["twin"]
    a, b, cut = logs[twin["of"]], logs[twin["run"]], twin["from_tick"]
    for t in range(min(cut, len(a), len(b))):
        if a[t] != b[t]:
            raise InvalidOutput(
                f"decisions depend on future availability: two runs whose spot availability "
                f"is identical up to tick {cut} differ at tick {t} (a policy may only use "
                "what it has seen; use random only through the 'random' module)"
            )
    if min(len(a), len(b)) < cut and len(a) != len(b):
        raise InvalidOutput("decisions depend on future availability (twin runs diverge)")


def score(case: dict, output: object) -> dict:
    runs = case["input"]["runs"]
    if not isinstance(output, dict) or not isinstance(output.get("logs"), list):
        raise InvalidOutput("expected {'logs': [one decision string per job]}")
    logs = output["logs"]
    if len(logs) != len(runs):
        raise InvalidOutput(f"expected {len(runs)} decision logs, got {len(logs)}")
    outcomes = {}
    for i, (window, deadline_h, overhead_h) in enumerate(runs):
        scenario = market.Scenario.from_hours(deadline_h, overhead_h)
        try:
            outcomes[i] = market.replay(case["input"]["spot"][window], scenario, logs[i])
        except market.InvalidDecision as exc:
            raise InvalidOutput(f"job {scenario.label}: {exc}") from None
    _check_twin(case, logs)
    primary = [(SCENARIOS[k], outcomes[i]) for k, i in enumerate(case["primary"])]
    count = len(primary)
    cost = sum(o.cost for _, o in primary) / count
    on_demand = sum(market.on_demand_cost(sc) for sc, _ in primary) / count
    metrics = {
        "cost": cost,
        "on_demand_cost": on_demand,
        "greedy_cost": _greedy_cost(case),
        "savings": 1.0 - cost / on_demand,
        "spot_hours": sum(o.spot_s for _, o in primary) / count / 3600,
        "on_demand_hours": sum(o.on_demand_s for _, o in primary) / count / 3600,
        "launches": sum(o.launches for _, o in primary) / count,
    }
    for deadline in market.DEADLINES_H:
        chosen = [o.cost for sc, o in primary if sc.deadline_s == deadline * 3600]
        metrics[f"cost_d{deadline}"] = sum(chosen) / len(chosen)
    return metrics
