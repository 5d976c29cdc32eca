"""Building the run's mutator from model names (``provider:model`` or ``offline``)."""

from __future__ import annotations

from collections.abc import Callable

from adrs.errors import NotAvailableError
from adrs.mutate.base import Mutator
from adrs.mutate.llm_builder import build_llm_mutator
from adrs.mutate.offline import OfflineMutator

# Providers register a builder: (model names, settings) -> (mutator, explanation).
# An empty model list asks each in turn for an automatic choice (an API key present, say).
BUILDERS: list[Callable[[list[str], object], tuple[Mutator, str] | None]] = [build_llm_mutator]


def make_mutator(models: list[str], settings: object) -> tuple[Mutator, str]:
    """The mutator for ``models`` and a sentence saying which it is and why."""
    if models == ["offline"]:
        return OfflineMutator(), "offline mutator (requested with --model offline)"
    for build in BUILDERS:
        made = build(models, settings)
        if made is not None:
            return made
    if not models:
        return OfflineMutator(), "offline mutator (no --model given and no API key found)"
    unknown = [m for m in models if m != "offline"]
    raise NotAvailableError(
        f"model '{unknown[0]}': model providers are not available yet in this build "
        "(use --model offline)"
    )
