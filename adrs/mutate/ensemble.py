"""Which model answers the next proposal: a weighted draw, or a bandit that learns.

The bandit is UCB1 on improvement per dollar. A call's reward is the child's relative gain
over its parent (0 when it did not improve, failed or was rejected), normalised by the
largest gain seen so far, so rewards lie in [0, 1] whatever the metric's scale. An arm's
index is its mean reward plus the usual exploration bonus, divided by its cost per call
relative to the ensemble's mean, so a model ten times dearer must gain ten times more.
A model that fails ``max_failures`` calls in a row is benched for the rest of the session.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from adrs.llm.spec import ModelSpec

MIN_RELATIVE_COST = 0.05  # a free model is not infinitely attractive


@dataclass
class Arm:
    """One model's record in this run."""

    spec: ModelSpec
    weight: float
    chosen: int = 0  # calls started (pending ones included)
    calls: int = 0  # calls finished
    cost_usd: float = 0.0
    gains: list[float] = field(default_factory=list)  # one per observed outcome
    failures_in_row: int = 0
    benched: str | None = None

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def cost_per_call(self) -> float | None:
        return self.cost_usd / self.calls if self.calls else None


def relative_gain(parent: float | None, child: float | None, improved: bool) -> float:
    """How much better the child is than its parent, relative to their size; 0 if not."""
    if not improved or parent is None or child is None:
        return 0.0
    return abs(child - parent) / max(abs(parent), abs(child), 1e-12)


class Ensemble:
    """The run's models, their weights, and what has been learnt about each."""

    def __init__(
        self,
        specs: list[ModelSpec],
        weights: list[float] | None = None,
        *,
        strategy: str = "weighted",
        exploration: float = 0.5,
        max_failures: int = 5,
    ) -> None:
        weights = weights or [1.0] * len(specs)
        self.arms = [Arm(s, w) for s, w in zip(specs, weights, strict=True)]
        self.strategy = strategy
        self.exploration = exploration
        self.max_failures = max_failures

    def arm(self, key: str) -> Arm | None:
        return next((a for a in self.arms if a.key == key), None)

    def active(self) -> list[Arm]:
        return [a for a in self.arms if a.benched is None and a.weight > 0]

    # -- choosing ------------------------------------------------------------------------

    def choose(self, rng: random.Random) -> tuple[Arm, str]:
        """The arm for the next call, and why it was chosen."""
        arms = self.active()
        if not arms:
            raise LookupError("every model is benched")
        benched = [a.key for a in self.arms if a.benched]
        note = f"; benched: {', '.join(benched)}" if benched else ""
        if len(arms) == 1:
            arm = arms[0]
            why = "the only model" if len(self.arms) == 1 else "the only model not benched"
        elif self.strategy == "bandit":
            arm, why = self._ucb(arms)
        else:
            arm, why = self._weighted(arms, rng)
        arm.chosen += 1
        return arm, why + note

    def _weighted(self, arms: list[Arm], rng: random.Random) -> tuple[Arm, str]:
        total = sum(a.weight for a in arms)
        arm = rng.choices(arms, weights=[a.weight for a in arms])[0]
        return arm, f"weighted draw among {len(arms)} models (share {arm.weight / total:.2f})"

    def indices(self) -> dict[str, float]:
        """Each active arm's UCB index (untried arms: infinity)."""
        arms = self.active()
        total = sum(a.chosen for a in arms)
        scale = max((g for a in self.arms for g in a.gains), default=0.0) or 1.0
        costs = [c for a in arms if (c := a.cost_per_call) is not None]
        mean_cost = sum(costs) / len(costs) if costs else 0.0
        out: dict[str, float] = {}
        for a in arms:
            if a.chosen == 0:
                out[a.key] = math.inf
                continue
            reward = sum(min(1.0, g / scale) for g in a.gains) / len(a.gains) if a.gains else 0.0
            bonus = self.exploration * math.sqrt(2 * math.log(max(total, 1)) / a.chosen)
            cost = a.cost_per_call
            relative = 1.0 if not mean_cost or cost is None else cost / mean_cost
            out[a.key] = (reward + bonus) / max(relative, MIN_RELATIVE_COST)
        return out

    def _ucb(self, arms: list[Arm]) -> tuple[Arm, str]:
        untried = [a for a in arms if a.chosen == 0]
        if untried:
            arm = max(untried, key=lambda a: a.weight)  # first by weight, then by order
            return arm, "bandit: not tried yet"
        index = self.indices()
        ranked = sorted(arms, key=lambda a: index[a.key], reverse=True)
        arm, runner_up = ranked[0], ranked[1]
        cost = arm.cost_per_call
        improved = sum(1 for g in arm.gains if g > 0)
        return arm, (
            f"bandit: highest UCB index {index[arm.key]:.3f} "
            f"(next {runner_up.key} {index[runner_up.key]:.3f}); "
            f"{improved} of {len(arm.gains)} outcomes improved, "
            f"${cost if cost is not None else 0:.4f} a call"
        )

    # -- learning ------------------------------------------------------------------------

    def record_call(self, key: str, cost_usd: float, failed: bool) -> str | None:
        """Account a finished call; returns why the model was benched, if it just was."""
        arm = self.arm(key)
        if arm is None:
            return None
        arm.calls += 1
        arm.cost_usd += cost_usd
        arm.failures_in_row = arm.failures_in_row + 1 if failed else 0
        if arm.benched is None and arm.failures_in_row >= self.max_failures:
            arm.benched = f"{arm.failures_in_row} failed calls in a row"
            return arm.benched
        return None

    def observe(self, key: str, gain: float) -> None:
        arm = self.arm(key)
        if arm is not None:
            arm.gains.append(gain)

    def shares(self) -> dict[str, float]:
        """The fraction of calls each model got."""
        total = sum(a.chosen for a in self.arms) or 1
        return {a.key: a.chosen / total for a in self.arms}
