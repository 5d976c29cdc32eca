"""One proposal's journey through the pipeline, and deterministic per-proposal seeds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from adrs.archive.store import ProgramRecord
from adrs.evaluation.evaluate import Evaluation
from adrs.mutate.base import Proposal
from adrs.search.member import Member


def derive_seed(seed: int, seq: int, purpose: str) -> int:
    """A 63-bit seed for one purpose of one proposal, independent of timing."""
    digest = hashlib.sha256(f"{seed}:{seq}:{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass
class Ticket:
    """Selected -> proposed -> accepted or rejected -> evaluated -> admitted."""

    seq: int
    island: int
    parent: Member | None
    inspirations: list[Member] = field(default_factory=list)
    proposal: Proposal | None = None
    program: ProgramRecord | None = None
    evaluation: Evaluation | None = None
    rejected: bool = False
    attempts: int = 0
