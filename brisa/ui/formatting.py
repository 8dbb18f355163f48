"""How values look on a page: UTC timestamps, durations, JSON, URL path parts, state classes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

STATE_CLASSES = frozenset(
    {
        "scheduled",
        "queued",
        "running",
        "success",
        "failed",
        "skipped",
        "up_for_retry",
        "up_for_reschedule",
        "upstream_failed",
        "removed",
        "restarting",
        "deferred",
    }
)


def format_datetime(value: datetime | None, *, seconds: bool = True) -> str:
    """``2026-01-02 03:04:05`` in UTC (every page says times are UTC)."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def format_duration(seconds: float | None) -> str:
    """``850 ms``, ``5.2 s``, ``3 min 05 s``, ``2 h 07 min``, ``3 d 04 h``."""
    if seconds is None:
        return ""
    seconds = max(0.0, float(seconds))
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours:02d} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s"


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if start is not None and end is not None else None


def state_class(state: Any) -> str:
    """The CSS class of a state's colour (``st-none`` for no state or an unknown one)."""
    name = getattr(state, "value", state)
    return f"st-{name}" if name in STATE_CLASSES else "st-none"


def url_part(value: Any) -> str:
    """One path segment or query value, every reserved character escaped (``/`` too)."""
    return quote(str(value), safe="")


def pretty_json(value: Any) -> str:
    """Indented JSON for ``<pre>`` blocks; values JSON cannot hold are shown with ``str``."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)


__all__ = [
    "STATE_CLASSES",
    "format_datetime",
    "format_duration",
    "pretty_json",
    "seconds_between",
    "state_class",
    "url_part",
]
