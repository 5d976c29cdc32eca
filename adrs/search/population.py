"""Islands, a MAP-Elites grid per island, and a global elite archive.

Each island keeps up to ``capacity`` members and a grid over the feature dimensions whose
cells hold the fittest member seen in them. Parents come from the island's cell elites
(diversity), sometimes from the global elites (exploitation) or uniformly (exploration).
Every ``migration_interval`` admissions, each island's best members are copied to the next
island in a ring. Everything here is deterministic given the order of admissions and the
random generator passed in.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from adrs.search.member import Member
from adrs.search.selection import SelectionStrategy, ranked, top, worst

Cell = tuple[int, ...]


@dataclass(frozen=True)
class PopulationConfig:
    islands: int = 2
    capacity: int = 100
    dims: tuple[str, ...] = ("complexity",)
    bins: int = 8
    elite_size: int = 10
    exploration: float = 0.2
    exploitation: float = 0.2
    inspirations_best: int = 2
    inspirations_diverse: int = 2
    migration_interval: int = 25
    migration_count: int = 1


class FeatureRanges:
    """Observed min and max per feature; bins stretch as programs spread out."""

    def __init__(self, dims: Sequence[str]) -> None:
        self.lo = {d: float("inf") for d in dims}
        self.hi = {d: float("-inf") for d in dims}

    def update(self, features: dict[str, float]) -> bool:
        changed = False
        for d in self.lo:
            v = features.get(d, 0.0)
            if v < self.lo[d]:
                self.lo[d], changed = v, True
            if v > self.hi[d]:
                self.hi[d], changed = v, True
        return changed

    def cell(self, features: dict[str, float], bins: int) -> Cell:
        out = []
        for d in self.lo:
            lo, hi = self.lo[d], self.hi[d]
            v = features.get(d, 0.0)
            b = 0 if hi <= lo else int((v - lo) / (hi - lo) * bins)
            out.append(min(max(b, 0), bins - 1))
        return tuple(out)


@dataclass
class Island:
    index: int
    members: dict[str, Member] = field(default_factory=dict)
    cells: dict[Cell, str] = field(default_factory=dict)
    best: Member | None = None
    last_improvement: int = 0

    def place(self, member: Member, ranges: FeatureRanges, bins: int) -> None:
        cell = ranges.cell(member.features, bins)
        holder = self.cells.get(cell)
        # An equally fit newcomer takes the cell: neutral variants keep drifting, which a
        # flat fitness landscape needs to escape a local optimum.
        if holder is None or member.fitness >= self.members[holder].fitness:
            self.cells[cell] = member.id

    def rebuild(self, ranges: FeatureRanges, bins: int) -> None:
        self.cells = {}
        for m in self.members.values():
            self.place(m, ranges, bins)

    def elites(self) -> list[Member]:
        return [self.members[i] for i in dict.fromkeys(self.cells.values())]

    def evict(self, capacity: int) -> None:
        while len(self.members) > capacity:
            keep = set(self.cells.values())
            if self.best is not None:
                keep.add(self.best.id)
            pool = [m for m in self.members.values() if m.id not in keep]
            if not pool:
                pool = [
                    m for m in self.members.values() if self.best is None or m.id != self.best.id
                ]
            gone = worst(pool)
            del self.members[gone.id]
            for cell, mid in list(self.cells.items()):
                if mid == gone.id:
                    del self.cells[cell]


def _beats(a: Member, b: Member) -> bool:
    return (a.fitness, -a.seq) > (b.fitness, -b.seq)


@dataclass
class Admission:
    improved_island: bool
    improved_global: bool
    migrated: list[tuple[str, int, int]]  # (member id, from island, to island)


class Population:
    def __init__(self, config: PopulationConfig) -> None:
        self.config = config
        self.islands = [Island(i) for i in range(config.islands)]
        self.ranges = FeatureRanges(config.dims)
        self.elites: list[Member] = []
        self.admitted = 0

    @property
    def best(self) -> Member | None:
        return self.elites[0] if self.elites else None

    def _add_to_island(self, island: Island, member: Member) -> bool:
        island.members[member.id] = member
        island.place(member, self.ranges, self.config.bins)
        improved = island.best is None or _beats(member, island.best)
        if improved:
            island.best = member
            island.last_improvement = self.admitted
        island.evict(self.config.capacity)
        return improved

    def admit(self, member: Member, *, everywhere: bool = False) -> Admission:
        """Add a fully evaluated program to its island (or all islands, for the seed)."""
        self.admitted += 1
        if self.ranges.update(member.features):
            for isl in self.islands:
                isl.rebuild(self.ranges, self.config.bins)
        targets = self.islands if everywhere else [self.islands[member.island % len(self.islands)]]
        improved_island = False
        for isl in targets:
            improved_island |= self._add_to_island(isl, member)
        previous = self.best
        self.elites = ranked([*self.elites, member])[: self.config.elite_size]
        improved_global = previous is None or _beats(member, previous)
        migrated: list[tuple[str, int, int]] = []
        interval = self.config.migration_interval
        if len(self.islands) > 1 and interval > 0 and self.admitted % interval == 0:
            migrated = self.migrate()
        return Admission(improved_island, improved_global, migrated)

    def migrate(self) -> list[tuple[str, int, int]]:
        """Ring migration of each island's best members to the next island."""
        moves = []
        leaders = [top(isl.members.values(), self.config.migration_count) for isl in self.islands]
        for i, group in enumerate(leaders):
            dest = self.islands[(i + 1) % len(self.islands)]
            for m in group:
                if m.id not in dest.members:
                    self._add_to_island(dest, m)
                    moves.append((m.id, i, dest.index))
        return moves

    def select(
        self, island_index: int, rng: random.Random, strategy: SelectionStrategy
    ) -> tuple[Member, list[Member]]:
        """A parent and inspirations (best and diverse) for one proposal on an island."""
        island = self.islands[island_index % len(self.islands)]
        elites = island.elites() or list(island.members.values())
        if not elites:
            raise RuntimeError("cannot select from an empty population")
        roll = rng.random()
        if roll < self.config.exploitation and self.elites:
            parent = strategy.choose(self.elites, rng)
        elif roll < self.config.exploitation + self.config.exploration:
            parent = rng.choice(elites)
        else:
            parent = strategy.choose(elites, rng)
        chosen = {parent.id}
        inspirations: list[Member] = []
        # The parent may be among the leaders: one more than needed covers it.
        for m in top(island.members.values(), self.config.inspirations_best + 1):
            if len(inspirations) >= self.config.inspirations_best:
                break
            if m.id not in chosen:
                inspirations.append(m)
                chosen.add(m.id)
        diverse = [m for m in elites if m.id not in chosen]
        rng.shuffle(diverse)
        inspirations.extend(diverse[: self.config.inspirations_diverse])
        return parent, inspirations

    def summary(self) -> list[dict[str, object]]:
        return [
            {
                "island": isl.index,
                "size": len(isl.members),
                "cells": len(isl.cells),
                "best": isl.best.score if isl.best else None,
                "best_id": isl.best.id if isl.best else None,
                "last_improvement": isl.last_improvement,
            }
            for isl in self.islands
        ]
