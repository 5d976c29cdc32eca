"""Reading a request's query parameters, with one-line errors that name the parameter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from adrs.dashboard.errors import BadParameter
from adrs.dashboard.queries.common import Paging

MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Params:
    """Query parameters: the last value of each name, and every value of repeated ones."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, items: Sequence[tuple[str, str]]) -> Params:
        values: dict[str, str] = {}
        lists: dict[str, list[str]] = {}
        for key, value in items:
            values[key] = value
            lists.setdefault(key, []).append(value)
        return cls(values, lists)

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name, "").strip()
        return value or default

    def choice(self, name: str, default: str, choices: Sequence[str]) -> str:
        value = self.text(name, default) or default
        if value not in choices:
            raise BadParameter(f"{name}: must be one of {', '.join(choices)}, not {value!r}")
        return value

    def integer(
        self, name: str, default: int | None, *, low: int = 0, high: int = MAX_PAGE
    ) -> int | None:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise BadParameter(f"{name}: expected a whole number, got {raw!r}") from None
        if not low <= value <= high:
            raise BadParameter(f"{name}: {value} is out of range ({low} to {high})")
        return value

    def flag(self, name: str) -> bool:
        raw = (self.text(name) or "0").lower()
        if raw not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
            raise BadParameter(f"{name}: expected 1 or 0, got {raw!r}")
        return raw in ("1", "true", "yes", "on")

    def paging(self, per_page: int, name: str = "page") -> Paging:
        page = self.integer(name, 1, low=1)
        return Paging(page=page or 1, per_page=per_page)
