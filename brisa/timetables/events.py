"""``EventsTimetable``: runs at a fixed list of instants (Airflow 2.4+)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pendulum
from pendulum import DateTime

from brisa.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable, to_utc


class EventsTimetable(Timetable):
    """Run at each of ``event_dates`` (duplicates ignored), each as an exact instant.

    ``restrict_to_events`` makes a manual run use the most recent event (or the first
    one when all are in the future) instead of the moment it was triggered.
    """

    def __init__(
        self,
        event_dates: Iterable[dt.datetime],
        restrict_to_events: bool = False,
        presorted: bool = False,
        description: str | None = None,
    ) -> None:
        self.event_dates = [_aware(d) for d in event_dates]
        if not presorted:
            self.event_dates.sort()
        self.restrict_to_events = restrict_to_events
        self._given_description = description
        if description is not None:
            self._summary = self.description = description
        else:
            self._summary = f"{len(self.event_dates)} events"
            self.description = self._default_description()

    def _default_description(self) -> str:
        if not self.event_dates:
            return "No events"
        first, last = self.event_dates[0], self.event_dates[-1]
        return f"{len(self.event_dates)} events between {first} and {last}"

    @property
    def summary(self) -> str:
        return self._summary

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        earliest = restriction.earliest
        if not restriction.catchup and (earliest is None or now > earliest):
            earliest = now
        last_end = last_automated_data_interval.end if last_automated_data_interval else None
        for event in self.event_dates:
            if earliest is not None and event < earliest:
                continue
            if last_end is not None and event <= last_end:
                continue
            if restriction.latest is not None and event > restriction.latest:
                return None
            return DagRunInfo.exact(event)
        return None

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        if not self.restrict_to_events or not self.event_dates:
            return DataInterval.exact(run_after)
        past = [event for event in self.event_dates if event <= run_after]
        return DataInterval.exact(past[-1] if past else self.event_dates[0])

    def _serialize_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "event_dates": [d.isoformat(sep="T") for d in self.event_dates],
            "restrict_to_events": self.restrict_to_events,
        }
        if self._given_description is not None:
            fields["description"] = self._given_description
        return fields

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> EventsTimetable:
        return cls(
            [dt.datetime.fromisoformat(d) for d in data["event_dates"]],
            data["restrict_to_events"],
            presorted=True,
            description=data.get("description"),
        )


def _aware(value: dt.datetime) -> DateTime:
    if value.tzinfo is None:
        return to_utc(value)
    return pendulum.instance(value)


__all__ = ["EventsTimetable"]
