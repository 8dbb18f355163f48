"""Airflow 3.3's partition windows and wait policies (pure).

A window lists the upstream members of one downstream period, in the *decoded* form of
the mapper it is paired with (naive datetimes for the temporal mappers, strings for
``SegmentWindow``): ``RollupMapper`` waits for them (many upstream keys → one run),
``FanOutMapper`` scatters one upstream key over them (one key → many runs). A wait policy
says when a rollup has enough of its members: ``WaitForAll`` (the default) or
``MinimumCount(n)`` (n > 0: at least n; n < 0: at most -n missing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Set
from enum import StrEnum
from typing import Any, ClassVar

from brisa.errors import ScheduleError


class WindowDirection(StrEnum):
    FORWARD = "forward"
    """The period starting at the anchor (the default)."""
    BACKWARD = "backward"
    """The trailing period ending at the anchor."""


def _shift_months(when: dt.datetime, months: int) -> dt.datetime:
    total = when.month - 1 + months
    return when.replace(year=when.year + total // 12, month=total % 12 + 1)


def _day_one(when: dt.datetime, window: Window) -> dt.datetime:
    if when.day != 1:
        raise ScheduleError(
            f"{type(window).__name__} needs a period starting on day 1, not {when.isoformat()}"
        )
    return when


class Window:
    """The members of one downstream period."""

    Direction = WindowDirection
    """``Window.Direction.BACKWARD``, as DAG files spell it."""
    count: ClassVar[int] = 0
    decodes_to_datetime: ClassVar[bool] = True

    def __init__(self, *, direction: WindowDirection | str = WindowDirection.FORWARD) -> None:
        self.direction = WindowDirection(direction)

    def step(self, start: dt.datetime, i: int) -> dt.datetime:
        raise NotImplementedError

    def to_upstream(self, anchor: Any) -> list[Any]:
        """The members, oldest first (BACKWARD: the ``count`` ones ending at the anchor)."""
        base = self.step(anchor, -(self.count - 1)) if self.direction is WindowDirection.BACKWARD else anchor
        return [self.step(base, i) for i in range(self.count)]

    def serialize(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "direction": self.direction.value}

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> Window:
        return cls(direction=data.get("direction", "forward"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Window) and self.serialize() == other.serialize()

    def __hash__(self) -> int:
        return hash(repr(self.serialize()))


class HourWindow(Window):
    """The 60 minutes of an hour."""

    count = 60

    def step(self, start: dt.datetime, i: int) -> dt.datetime:
        return start + dt.timedelta(minutes=1) * i


class DayWindow(Window):
    """The 24 hours of a day (naive steps: the mapper localises each member)."""

    count = 24

    def step(self, start: dt.datetime, i: int) -> dt.datetime:
        return start + dt.timedelta(hours=1) * i


class WeekWindow(Window):
    """The 7 days of a week."""

    count = 7

    def step(self, start: dt.datetime, i: int) -> dt.datetime:
        return start + dt.timedelta(days=1) * i


class MonthWindow(Window):
    """The days of a calendar month (28 to 31); BACKWARD: the days after the previous
    month's first day up to the anchor, as Airflow."""

    def to_upstream(self, anchor: Any) -> list[Any]:
        start = _day_one(anchor, self)
        if self.direction is WindowDirection.BACKWARD:
            prev = _shift_months(start, -1)
            return [prev + dt.timedelta(days=i + 1) for i in range((start - prev).days)]
        return [start + dt.timedelta(days=i) for i in range((_shift_months(start, 1) - start).days)]


class QuarterWindow(Window):
    """The 3 months of a quarter."""

    count = 3

    def step(self, start: dt.datetime, i: int) -> dt.datetime:
        return _shift_months(_day_one(start, self), i)


class YearWindow(Window):
    """The 12 months of a year."""

    count = 12

    def step(self, start: dt.datetime, i: int) -> dt.datetime:
        return _shift_months(_day_one(start, self), i)


class SegmentWindow(Window):
    """A fixed set of categorical keys, whatever the downstream key."""

    decodes_to_datetime = False

    def __init__(self, segments: Iterable[str]) -> None:
        super().__init__()
        given = list(segments) if not isinstance(segments, str) else [segments]
        if not given or any(not isinstance(s, str) or not s for s in given):
            raise ScheduleError(f"SegmentWindow needs non-empty string keys; got {given!r}")
        self.segments = sorted(set(given))

    def to_upstream(self, anchor: Any) -> list[Any]:
        return list(self.segments)

    def serialize(self) -> dict[str, Any]:
        return {"type": "SegmentWindow", "segments": self.segments}

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> Window:
        return cls(data["segments"])


WINDOWS: dict[str, type[Window]] = {
    c.__name__: c
    for c in (HourWindow, DayWindow, WeekWindow, MonthWindow, QuarterWindow, YearWindow, SegmentWindow)
}


def window_from_dict(data: Mapping[str, Any]) -> Window:
    cls = WINDOWS.get(str(data.get("type")))
    if cls is None:
        raise ScheduleError(f"unknown partition window {data.get('type')!r}")
    return cls.from_fields(data)


class WaitPolicy:
    """When a rollup has enough of its expected upstream keys."""

    def is_satisfied(self, *, matched: Set[str], expected: Set[str]) -> bool:
        raise NotImplementedError

    def serialize(self) -> dict[str, Any]:
        return {"type": type(self).__name__}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WaitPolicy) and self.serialize() == other.serialize()

    def __hash__(self) -> int:
        return hash(repr(self.serialize()))


class WaitForAll(WaitPolicy):
    """Every expected key has arrived."""

    def is_satisfied(self, *, matched: Set[str], expected: Set[str]) -> bool:
        return expected <= matched


class MinimumCount(WaitPolicy):
    """n > 0: at least n expected keys arrived; n < 0: at most -n are missing."""

    def __init__(self, n: int) -> None:
        if not isinstance(n, int) or isinstance(n, bool) or n == 0:
            raise ScheduleError(f"MinimumCount needs a non-zero int (0 would always fire); got {n!r}")
        self.n = n

    def is_satisfied(self, *, matched: Set[str], expected: Set[str]) -> bool:
        found = len(matched & expected)
        return found >= self.n if self.n > 0 else found >= max(0, len(expected) + self.n)

    def serialize(self) -> dict[str, Any]:
        return {"type": "MinimumCount", "n": self.n}


def wait_policy_from_dict(data: Mapping[str, Any]) -> WaitPolicy:
    if data.get("type") == "MinimumCount":
        return MinimumCount(int(data["n"]))
    if data.get("type") == "WaitForAll":
        return WaitForAll()
    raise ScheduleError(f"unknown wait policy {data.get('type')!r}")


__all__ = [
    "WINDOWS",
    "DayWindow",
    "HourWindow",
    "MinimumCount",
    "MonthWindow",
    "QuarterWindow",
    "SegmentWindow",
    "WaitForAll",
    "WaitPolicy",
    "WeekWindow",
    "Window",
    "WindowDirection",
    "YearWindow",
    "wait_policy_from_dict",
    "window_from_dict",
]
