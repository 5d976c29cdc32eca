"""A program as the population sees it: fitness, features and the feedback for prompts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Member:
    id: str
    seq: int
    island: int
    generation: int
    source: str
    score: float
    fitness: float  # larger is better, whatever the objective's direction
    metrics: dict[str, float] = field(default_factory=dict)
    features: dict[str, float] = field(default_factory=dict)
    feedback: dict[str, Any] = field(default_factory=dict)
