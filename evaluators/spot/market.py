"""The spot-market simulator: one job, one availability window, decisions once per tick.

Everything is counted in integer seconds, so the host's replay is exact. Per tick:

1. A spot instance is lost (preempted) when spot is unavailable at this tick.
2. The safety rule: when ``deadline - elapsed - tick <= work_left + restart_overhead``
   (waiting one more tick would leave less time than the remaining work plus one
   restart), the job runs on demand until it is done. Otherwise the policy chooses
   SPOT, ON_DEMAND or NONE; SPOT while spot is unavailable gets nothing (NONE), as in
   the study's simulator.
3. NONE stops any instance. Choosing an instance type other than the current one
   (a launch, including the first) costs ``restart_overhead`` of no progress; the
   overhead carries over into later ticks when it is longer than a tick.
4. A running instance is billed for the time it runs (the last tick pro rata, once the
   work is done): on demand $3.06/h, spot $0.9731/h.

The rule guarantees every deadline: if it did not fire at tick t, at tick t+1 there is
still time for a restart plus all remaining work on demand.

Logs hold one character per tick: ``S`` (spot), ``D`` (on demand) or ``N`` (none), the
choice after the rules above, up to the tick in which the job finishes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

GAP_S = 600
JOB_S = 48 * 3600
PRICE_PER_H = {"S": 0.9731, "D": 3.06}
DEADLINES_H = (52, 70, 92)
OVERHEADS_H = (0.02, 0.2, 0.4)
SPOT, ON_DEMAND, NONE = "SPOT", "ON_DEMAND", "NONE"
CODES = {SPOT: "S", ON_DEMAND: "D", NONE: "N"}
NAMES = {code: name for name, code in CODES.items()}


class InvalidDecision(ValueError):
    """A decision log that this simulator could not have produced."""


@dataclass(frozen=True)
class Scenario:
    """A job: its deadline and restart overhead (seconds), work and tick length."""

    deadline_s: int
    overhead_s: int
    job_s: int = JOB_S
    gap_s: int = GAP_S

    @classmethod
    def from_hours(cls, deadline_h: float, overhead_h: float) -> Scenario:
        return cls(round(deadline_h * 3600), round(overhead_h * 3600))

    @property
    def label(self) -> str:
        return f"d{self.deadline_s / 3600:g}_o{self.overhead_s / 3600:g}"

    def forced(self, tick: int, done_s: int) -> bool:
        """Whether the safety rule makes tick ``tick`` run on demand."""
        left = self.deadline_s - tick * self.gap_s - self.gap_s
        return left <= self.job_s - done_s + self.overhead_s


def study_scenarios() -> list[Scenario]:
    """The study's nine: deadlines {52, 70, 92} h x restart overheads {0.02, 0.2, 0.4} h."""
    return [Scenario.from_hours(d, o) for d in DEADLINES_H for o in OVERHEADS_H]


def dollars(spot_s: int, on_demand_s: int) -> float:
    return (spot_s * PRICE_PER_H["S"] + on_demand_s * PRICE_PER_H["D"]) / 3600


@dataclass
class Outcome:
    """What a replayed log cost and how the job went."""

    cost: float
    finish_s: int
    spot_s: int
    on_demand_s: int
    launches: int
    forced_from: int | None  # first tick the safety rule ran, if it did


class Job:
    """The job's state between ticks; ``step`` applies one (already legal) decision."""

    __slots__ = (
        "done",
        "finish_s",
        "instance",
        "launches",
        "on_demand_s",
        "overhead_left",
        "scenario",
        "spot_s",
        "tick",
    )

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.tick = 0
        self.done = 0
        self.instance = "N"
        self.overhead_left = 0
        self.spot_s = 0
        self.on_demand_s = 0
        self.launches = 0
        self.finish_s: int | None = None

    def observe(self, available: bool) -> bool:
        """Start of a tick: lose a spot instance if spot is gone. True when preempted."""
        if self.instance == "S" and not available:
            self.instance = "N"
            self.overhead_left = 0
            return True
        return False

    def step(self, code: str) -> None:
        sc = self.scenario
        if code == "N":
            self.instance = "N"
            self.overhead_left = 0
        else:
            if code != self.instance:
                self.instance = code
                self.overhead_left = sc.overhead_s
                self.launches += 1
            restart = min(self.overhead_left, sc.gap_s)
            work = min(sc.gap_s - restart, sc.job_s - self.done)
            self.overhead_left -= restart
            self.done += work
            if code == "S":
                self.spot_s += restart + work
            else:
                self.on_demand_s += restart + work
            if self.done == sc.job_s:
                self.finish_s = self.tick * sc.gap_s + restart + work
        self.tick += 1


class TickState:
    """What a policy sees at each tick (hours as floats); ``memory`` is the policy's own.

    A fresh ``memory`` dict is given per job, kept across that job's ticks.
    """

    __slots__ = (
        "deadline_h",
        "done_h",
        "elapsed_h",
        "instance",
        "left_h",
        "memory",
        "overhead_h",
        "overhead_left_h",
        "preempted",
        "spot_available",
        "tick",
        "tick_h",
    )

    def __init__(self, scenario: Scenario) -> None:
        self.deadline_h = scenario.deadline_s / 3600
        self.overhead_h = scenario.overhead_s / 3600
        self.tick_h = scenario.gap_s / 3600
        self.memory: dict[str, Any] = {}
        self.tick = 0
        self.elapsed_h = self.done_h = self.overhead_left_h = 0.0
        self.left_h = scenario.job_s / 3600
        self.instance = NONE
        self.spot_available = self.preempted = False


def run_policy(spot: str, scenario: Scenario, decide: Callable[[TickState], Any]) -> str:
    """Drive ``decide`` over one window (``spot[t] == "1"``: spot available at tick t).

    Returns the decision log. Once the safety rule fires the policy is not consulted again
    (the rule then holds until the job is done).
    """
    job = Job(scenario)
    state = TickState(scenario)
    log: list[str] = []
    forced = False
    while job.finish_s is None:
        t = job.tick
        if t >= len(spot):
            raise ValueError(f"window of {len(spot)} ticks ended before the job finished")
        available = spot[t] == "1"
        preempted = job.observe(available)
        forced = forced or scenario.forced(t, job.done)
        if forced:
            code = "D"
        else:
            state.tick = t
            state.elapsed_h = t * scenario.gap_s / 3600
            state.done_h = job.done / 3600
            state.left_h = (scenario.job_s - job.done) / 3600
            state.instance = NAMES[job.instance]
            state.overhead_left_h = job.overhead_left / 3600
            state.spot_available = available
            state.preempted = preempted
            choice = decide(state)
            code = CODES.get(choice) if isinstance(choice, str) else None
            if code is None:
                raise ValueError(
                    f"tick {t}: policy returned {str(choice)[:40]!r}; "
                    "expected 'SPOT', 'ON_DEMAND' or 'NONE'"
                )
            if code == "S" and not available:
                code = "N"
        job.step(code)
        log.append(code)
    return "".join(log)


def replay(spot: str, scenario: Scenario, log: object) -> Outcome:
    """Recompute a decision log on the host; InvalidDecision for anything illegal.

    The same rules as :class:`Job`, written out as one loop: the host replays every
    decision of every candidate, so this is the verifier's hot path.
    """
    if not isinstance(log, str):
        raise InvalidDecision(f"decision log is {type(log).__name__}, not a string")
    if log.strip("SDN"):
        t = next(i for i, code in enumerate(log) if code not in NAMES)
        raise InvalidDecision(f"tick {t}: unknown decision {log[t]!r} (expected S, D, N)")
    if len(log) > len(spot):
        raise InvalidDecision(f"log is longer than the {len(spot)}-tick window")
    gap, overhead, job = scenario.gap_s, scenario.overhead_s, scenario.job_s
    forced_below = job + overhead + gap - scenario.deadline_s  # + t * gap; see Scenario.forced
    instance, owed, done, spot_s, on_demand_s, launches = "N", 0, 0, 0, 0, 0
    forced_from: int | None = None
    finish_s: int | None = None
    for t, code in enumerate(log):
        if finish_s is not None:
            raise InvalidDecision(f"log goes on after the job finished at tick {t - 1}")
        available = spot[t] == "1"
        if instance == "S" and not available:
            instance, owed = "N", 0
        if forced_from is None and done <= forced_below + t * gap:
            forced_from = t
        if forced_from is not None and code != "D":
            raise InvalidDecision(
                f"tick {t}: the safety rule requires ON_DEMAND, log says {NAMES[code]}"
            )
        if code == "N":
            instance, owed = "N", 0
            continue
        if code == "S" and not available:
            raise InvalidDecision(f"tick {t}: SPOT while spot is unavailable")
        if code != instance:
            instance, owed = code, overhead
            launches += 1
        restart = owed if owed < gap else gap
        work = min(gap - restart, job - done)
        owed -= restart
        done += work
        if code == "S":
            spot_s += restart + work
        else:
            on_demand_s += restart + work
        if done == job:
            finish_s = t * gap + restart + work
    if finish_s is None:
        left_h = (job - done) / 3600
        raise InvalidDecision(f"log ends after {len(log)} ticks with {left_h:.3g} h of work left")
    if finish_s > scenario.deadline_s:  # the rule prevents it; checked all the same
        raise InvalidDecision(f"job finished at {finish_s} s, after its deadline")
    cost = dollars(spot_s, on_demand_s)
    return Outcome(cost, finish_s, spot_s, on_demand_s, launches, forced_from)


def greedy(state: TickState) -> str:
    """Reference policy: spot whenever available, otherwise wait for the safety rule."""
    return SPOT if state.spot_available else NONE


def on_demand_cost(scenario: Scenario) -> float:
    """All on demand from tick 0: one launch, then the work."""
    return dollars(0, scenario.overhead_s + scenario.job_s)
