"""Finding the dashboard's templates and static files, and the Jinja2 environment.

``web/`` lives at the top of the repository; the package reaches it as ``adrs/web`` (a
link in a checkout or an editable install, a copied folder inside a wheel).
"""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from adrs.dashboard.charts import fmt
from adrs.errors import AdrsError


def web_dir() -> Path:
    """The folder holding ``templates/`` and ``static/`` (``ADRS_WEB_DIR`` overrides)."""
    candidates = [Path(__file__).resolve().parent.parent / "web"]
    override = os.environ.get("ADRS_WEB_DIR")
    if override:
        candidates.insert(0, Path(override))
    for path in candidates:
        if (path / "templates").is_dir() and (path / "static").is_dir():
            return path
    raise AdrsError(
        f"dashboard templates not found (looked in {', '.join(str(c) for c in candidates)})"
    )


def duration(seconds: float | None) -> str:
    """Seconds as a short human duration: 42 s, 3 min 5 s, 2 h 10 min."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"


def percent(value: float | None, signed: bool = True) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value * 100:+.2f}%" if signed else f"{value * 100:.1f}%"


def when(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def count(value: int | None) -> str:
    """A count with thousands separators (8,963,711), or ``-``."""
    return "-" if value is None else f"{value:,}"


def mutation(value: str | None) -> Markup:
    """A mutation label (``a+b+c``), escaped, that may wrap after each ``+``."""
    return Markup("+<wbr>").join(escape(part) for part in (value or "").split("+"))


def number(value: Any) -> str:
    """A metric value of any type, compactly: floats to 6 significant digits."""
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, default=str)[:200]


def setting(value: Any) -> str:
    """An applied limit or setting as a person writes it: lists joined, mappings as k=v."""
    if isinstance(value, dict):
        return "; ".join(f"{k} {setting(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list | tuple):
        return ", ".join(setting(v) for v in value) or "none"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1 << 20:
        return f"{value / (1 << 20):g} MiB" if value % (1 << 20) == 0 else f"{value:,}"
    return number(value) if not isinstance(value, str) else value


def environment(root: Path | None = None) -> Environment:
    """The Jinja2 environment: autoescaping on, undefined names an error, our filters."""
    env = Environment(
        loader=FileSystemLoader(str((root or web_dir()) / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        lstrip_blocks=True,
    )
    env.filters.update(
        score=fmt,
        duration=duration,
        percent=percent,
        when=when,
        money=money,
        count=count,
        mutation=mutation,
        number=number,
        setting=setting,
    )
    env.filters["short"] = lambda ident: str(ident)[:8] if ident else "-"
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, default=str)
    return env
