"""The timetable interface: Airflow's ``airflow.timetables.base``, with the clock passed in.

A timetable answers two questions and nothing else:

* :meth:`Timetable.next_dagrun_info` - given the data interval of the last scheduled
  run (or None), the DAG's start/end/catchup restriction and the current time, when
  is the next run and which data interval does it cover?
* :meth:`Timetable.infer_manual_data_interval` - which data interval does a run
  triggered by hand at ``run_after`` cover?

Airflow reads the wall clock inside ``next_dagrun_info``; here ``now`` is an argument
so the scheduler (and the tests) decide what time it is.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pendulum
from pendulum import DateTime

from brisa.errors import InvalidInputError

UTC = pendulum.UTC


def to_utc(value: dt.datetime) -> DateTime:
    """``value`` as a pendulum DateTime in UTC; a naive value is taken to be UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    return pendulum.instance(value.astimezone(UTC))


def parse_when(text: str) -> DateTime:
    """A date or datetime a user typed (CLI, ``tasks run RUN``); naive means UTC (Airflow's rule)."""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(
            f"not a date or datetime: {text!r} (use YYYY-MM-DD or an ISO 8601 datetime)"
        ) from None
    return to_utc(value)


@dataclass(frozen=True)
class DataInterval:
    """The span of data a run works on; both ends are stored as UTC DateTimes.

    Iterable like Airflow's named tuple, so ``start, end = interval`` works.
    """

    start: DateTime
    end: DateTime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", to_utc(self.start))
        object.__setattr__(self, "end", to_utc(self.end))

    def __iter__(self) -> Iterator[DateTime]:
        return iter((self.start, self.end))

    @classmethod
    def exact(cls, at: dt.datetime) -> DataInterval:
        """An "interval" holding only one instant."""
        return cls(start=to_utc(at), end=to_utc(at))


@dataclass(frozen=True)
class TimeRestriction:
    """When runs may happen: not before ``earliest``, not after ``latest`` (both inclusive).

    ``catchup=False`` also means missed runs are skipped rather than backfilled.
    """

    earliest: DateTime | None
    latest: DateTime | None
    catchup: bool

    def __post_init__(self) -> None:
        for name in ("earliest", "latest"):
            if (value := getattr(self, name)) is not None:
                object.__setattr__(self, name, to_utc(value))

    def __iter__(self) -> Iterator[Any]:
        return iter((self.earliest, self.latest, self.catchup))


@dataclass(frozen=True)
class DagRunInfo:
    """What a timetable tells the scheduler about the next run.

    ``logical_date`` defaults to the start of the data interval, as in Airflow.
    """

    run_after: DateTime
    data_interval: DataInterval
    logical_date: DateTime = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "run_after", to_utc(self.run_after))
        logical = self.data_interval.start if self.logical_date is None else to_utc(self.logical_date)
        object.__setattr__(self, "logical_date", logical)

    @classmethod
    def exact(cls, at: dt.datetime) -> DagRunInfo:
        """A run at one instant whose data interval is that instant."""
        return cls(run_after=to_utc(at), data_interval=DataInterval.exact(at))

    @classmethod
    def interval(cls, start: dt.datetime, end: dt.datetime) -> DagRunInfo:
        """A run covering ``[start, end]``, due as soon as the interval has ended."""
        return cls(run_after=to_utc(end), data_interval=DataInterval(to_utc(start), to_utc(end)))


class Timetable(ABC):
    """Base of every timetable; subclasses set the class attributes they change."""

    periodic: ClassVar[bool] = True
    """False for ``None`` and ``@once``: runs do not repeat."""
    can_be_scheduled: ClassVar[bool] = True
    """False only for ``NullTimetable``: the scheduler never creates runs."""
    run_ordering: ClassVar[tuple[str, ...]] = ("data_interval_end", "logical_date")
    active_runs_limit: ClassVar[int | None] = None
    description: str = ""
    """Human words for the schedule, e.g. ``At 21:30, only on Friday``."""

    @property
    def summary(self) -> str:
        """Short form shown in lists, e.g. ``0 0 * * *`` or ``1 day, 0:00:00``."""
        return type(self).__name__

    @property
    def type_name(self) -> str:
        return type(self).__name__

    def validate(self) -> None:  # noqa: B027 - Airflow's hook; a no-op unless overridden
        """Raise ``ScheduleError`` if the timetable is wrong.

        Brisa's timetables check themselves when built, so this only exists for DAG code
        that calls it, as Airflow's DAG bag does.
        """

    @abstractmethod
    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        """The next automated run, or None when there is none (for now)."""

    @abstractmethod
    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        """The data interval of a run triggered by hand at ``run_after``."""

    def partition_for(self, info: DagRunInfo) -> tuple[str, DateTime] | None:
        """The (partition key, partition date) of the automated run ``info``; None for the
        timetables whose runs have no partition (all but ``CronPartitionTimetable``)."""
        return None

    def serialize(self) -> dict[str, Any]:
        """A JSON-able dict read back by ``timetable_from_dict``; always has ``type``."""
        return {"type": type(self).__name__, **self._serialize_fields()}

    def _serialize_fields(self) -> dict[str, Any]:
        return {}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> Timetable:
        """The timetable ``serialize()`` gave ``data``; Airflow's default takes no argument."""
        return cls()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timetable):
            return NotImplemented
        return type(self) is type(other) and self.serialize() == other.serialize()

    def __hash__(self) -> int:
        return hash(repr(self.serialize()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.summary!r})"


__all__ = ["DagRunInfo", "DataInterval", "TimeRestriction", "Timetable", "parse_when", "to_utc"]
