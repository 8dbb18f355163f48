"""``EventsTimetable``: runs at listed instants."""

from __future__ import annotations

import datetime as dt

import pendulum

from brisa.timetables import DataInterval, EventsTimetable, TimeRestriction

from .helpers import FAR_FUTURE, schedule_runs, utc

EVENTS = [utc(2024, 1, 5), utc(2024, 1, 1), utc(2024, 1, 3)]


def test_runs_at_each_event_in_order_from_the_start_date():
    runs = schedule_runs(
        EventsTimetable(EVENTS), TimeRestriction(utc(2024, 1, 2), None, True), now=FAR_FUTURE, count=5
    )
    assert [r.run_after if r else None for r in runs] == [utc(2024, 1, 3), utc(2024, 1, 5), None]
    assert runs[0].data_interval == DataInterval.exact(utc(2024, 1, 3))


def test_without_catchup_past_events_are_skipped():
    info = EventsTimetable(EVENTS).next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(utc(2024, 1, 1), None, False),
        now=utc(2024, 1, 4),
    )
    assert info.run_after == utc(2024, 1, 5)


def test_end_date_stops_the_events():
    info = EventsTimetable(EVENTS).next_dagrun_info(
        last_automated_data_interval=DataInterval.exact(utc(2024, 1, 3)),
        restriction=TimeRestriction(utc(2024, 1, 1), utc(2024, 1, 4), True),
        now=FAR_FUTURE,
    )
    assert info is None


def test_manual_runs_use_the_trigger_time_unless_restricted_to_events():
    assert EventsTimetable(EVENTS).infer_manual_data_interval(
        run_after=utc(2024, 1, 4)
    ) == DataInterval.exact(utc(2024, 1, 4))
    restricted = EventsTimetable(EVENTS, restrict_to_events=True)
    assert restricted.infer_manual_data_interval(run_after=utc(2024, 1, 4)) == DataInterval.exact(
        utc(2024, 1, 3)
    )
    assert restricted.infer_manual_data_interval(run_after=utc(2023, 1, 1)) == DataInterval.exact(
        utc(2024, 1, 1)
    )
    assert restricted.infer_manual_data_interval(run_after=utc(2024, 1, 3)) == DataInterval.exact(
        utc(2024, 1, 3)
    )


def test_summary_description_and_serialization():
    tt = EventsTimetable([pendulum.datetime(2024, 1, 1, 9, tz="Europe/Amsterdam"), dt.datetime(2024, 1, 2)])
    assert tt.summary == "2 events"
    assert tt.description == "2 events between 2024-01-01 09:00:00+01:00 and 2024-01-02 00:00:00+00:00"
    data = tt.serialize()
    assert data == {
        "type": "EventsTimetable",
        "event_dates": ["2024-01-01T09:00:00+01:00", "2024-01-02T00:00:00+00:00"],
        "restrict_to_events": False,
    }
    assert EventsTimetable.deserialize(data) == tt
    named = EventsTimetable(EVENTS, description="Match days")
    assert (named.summary, named.description) == ("Match days", "Match days")
    assert EventsTimetable.deserialize(named.serialize()).description == "Match days"
    assert EventsTimetable([]).description == "No events"
