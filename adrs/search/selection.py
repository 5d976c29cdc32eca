"""Parent selection strategies: small objects behind one protocol."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Sequence
from typing import Protocol

from adrs.search.member import Member


class SelectionStrategy(Protocol):
    """Picks a parent from candidates (all with a fitness, larger is better)."""

    name: str

    def choose(self, candidates: Sequence[Member], rng: random.Random) -> Member: ...


def rank_key(m: Member) -> tuple[float, int]:
    """Best first; ties broken by proposal order so that selection is reproducible."""
    return (-m.fitness, m.seq)


def ranked(candidates: Iterable[Member]) -> list[Member]:
    return sorted(candidates, key=rank_key)


def top(candidates: Iterable[Member], k: int) -> list[Member]:
    """``ranked(candidates)[:k]`` in linear time: islands hold thousands of members and
    only a few leaders are wanted per proposal."""
    return heapq.nsmallest(k, candidates, key=rank_key)


def worst(candidates: Iterable[Member]) -> Member:
    """``ranked(candidates)[-1]``."""
    return max(candidates, key=rank_key)


class PowerLawRank:
    """P(rank r) proportional to r^-alpha (rank 1 is the best): strong but not greedy."""

    name = "power_law"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def choose(self, candidates: Sequence[Member], rng: random.Random) -> Member:
        order = ranked(candidates)
        weights = [(r + 1) ** -self.alpha for r in range(len(order))]
        return rng.choices(order, weights=weights, k=1)[0]


class Tournament:
    """The best of ``size`` candidates drawn uniformly without replacement."""

    name = "tournament"

    def __init__(self, size: int = 3) -> None:
        self.size = size

    def choose(self, candidates: Sequence[Member], rng: random.Random) -> Member:
        pool = rng.sample(list(candidates), min(self.size, len(candidates)))
        return ranked(pool)[0]


class Uniform:
    """Any candidate with equal probability (pure exploration)."""

    name = "uniform"

    def choose(self, candidates: Sequence[Member], rng: random.Random) -> Member:
        return rng.choice(list(candidates))


def make_strategy(name: str, *, alpha: float = 1.0, tournament_size: int = 3) -> SelectionStrategy:
    if name == "power_law":
        return PowerLawRank(alpha)
    if name == "tournament":
        return Tournament(tournament_size)
    if name == "uniform":
        return Uniform()
    raise ValueError(f"unknown selection strategy {name!r} (power_law, tournament, uniform)")


STRATEGIES = ("power_law", "tournament", "uniform")
