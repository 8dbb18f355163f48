"""Trigger timetables (Airflow 3's meaning of a cron or timedelta schedule)."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from brisa.errors import ScheduleError
from brisa.timetables import (
    CronTriggerTimetable,
    DataInterval,
    DeltaTriggerTimetable,
    MultipleCronTriggerTimetable,
    TimeRestriction,
)

from .helpers import FAR_FUTURE, intervals, schedule_runs, utc

DAILY = CronTriggerTimetable("0 0 * * *", timezone="UTC")


def next_run(timetable, *, earliest=None, latest=None, catchup=True, last=None, now=FAR_FUTURE):
    return timetable.next_dagrun_info(
        last_automated_data_interval=last, restriction=TimeRestriction(earliest, latest, catchup), now=now
    )


# -- with catchup ------------------------------------------------------------------------
def test_runs_at_the_tick_with_a_zero_length_interval():
    runs = schedule_runs(DAILY, TimeRestriction(utc(2024, 1, 1), None, True), now=FAR_FUTURE, count=2)
    assert [(r.run_after, r.logical_date, r.data_interval) for r in runs] == [
        (utc(2024, 1, 1), utc(2024, 1, 1), DataInterval.exact(utc(2024, 1, 1))),
        (utc(2024, 1, 2), utc(2024, 1, 2), DataInterval.exact(utc(2024, 1, 2))),
    ]


def test_start_date_off_the_grid_starts_at_the_next_tick():
    assert next_run(DAILY, earliest=utc(2024, 1, 1, 10, 30)).run_after == utc(2024, 1, 2)


def test_interval_sets_the_data_interval_before_the_tick():
    hourly_data = CronTriggerTimetable("0 0 * * *", timezone="UTC", interval=dt.timedelta(hours=1))
    info = next_run(hourly_data, earliest=utc(2024, 1, 1))
    assert info.run_after == utc(2024, 1, 1)
    assert info.data_interval == DataInterval(utc(2023, 12, 31, 23), utc(2024, 1, 1))
    assert info.logical_date == utc(2023, 12, 31, 23)


def test_end_date_stops_the_runs():
    assert next_run(DAILY, earliest=utc(2024, 1, 1), latest=utc(2024, 1, 1)).run_after == utc(2024, 1, 1)
    last = DataInterval.exact(utc(2024, 1, 1))
    assert next_run(DAILY, earliest=utc(2024, 1, 1), latest=utc(2024, 1, 1, 12), last=last) is None


# -- without catchup (Airflow 3 rule: the newest tick that is not in the future) -------------
@pytest.mark.parametrize("now", [utc(2024, 1, 10, 13), utc(2024, 1, 10)])
def test_without_catchup_runs_the_latest_past_tick(now):
    info = next_run(DAILY, earliest=utc(2024, 1, 1), catchup=False, now=now)
    assert info.run_after == info.logical_date == utc(2024, 1, 10)


def test_without_catchup_skips_past_an_old_last_run():
    info = next_run(
        DAILY,
        earliest=utc(2024, 1, 1),
        catchup=False,
        last=DataInterval.exact(utc(2024, 1, 4)),
        now=utc(2024, 1, 10, 13),
    )
    assert info.run_after == utc(2024, 1, 10)


def test_without_catchup_waits_for_the_tick_after_a_recent_run():
    info = next_run(
        DAILY,
        earliest=utc(2024, 1, 1),
        catchup=False,
        last=DataInterval.exact(utc(2024, 1, 10)),
        now=utc(2024, 1, 10, 13),
    )
    assert info.run_after == utc(2024, 1, 11)


def test_without_catchup_a_future_start_date_wins():
    assert next_run(DAILY, earliest=utc(2024, 2, 1, 6), catchup=False, now=utc(2024, 1, 10)).run_after == utc(
        2024, 2, 2
    )


# -- no start date: run_immediately ----------------------------------------------------------
@pytest.mark.parametrize(
    ("run_immediately", "now", "expected"),
    [
        (True, utc(2024, 1, 10, 20), utc(2024, 1, 10, 3)),
        (False, utc(2024, 1, 10, 3, 5), utc(2024, 1, 10, 3)),  # within 10% of the 24h gap
        (False, utc(2024, 1, 10, 6), utc(2024, 1, 11, 3)),
        (dt.timedelta(minutes=10), utc(2024, 1, 10, 3, 5), utc(2024, 1, 10, 3)),
        (dt.timedelta(minutes=10), utc(2024, 1, 10, 3, 30), utc(2024, 1, 11, 3)),
    ],
)
def test_first_run_without_a_start_date(run_immediately, now, expected):
    tt = CronTriggerTimetable("0 3 * * *", timezone="UTC", run_immediately=run_immediately)
    assert next_run(tt, now=now).run_after == expected
    assert next_run(tt, now=now, catchup=False).run_after == expected


def test_first_run_buffer_is_at_least_five_minutes():
    tt = CronTriggerTimetable("*/10 3 * * *", timezone="UTC")
    assert next_run(tt, now=utc(2024, 1, 10, 3, 4)).run_after == utc(2024, 1, 10, 3)
    assert next_run(tt, now=utc(2024, 1, 10, 3, 6)).run_after == utc(2024, 1, 10, 3, 10)


# -- manual runs, DST, shape -------------------------------------------------------------------
def test_manual_run_covers_the_interval_before_run_after():
    tt = CronTriggerTimetable("0 0 * * *", timezone="UTC", interval=dt.timedelta(hours=2))
    assert tt.infer_manual_data_interval(run_after=utc(2024, 1, 5, 7)) == DataInterval(
        utc(2024, 1, 5, 5), utc(2024, 1, 5, 7)
    )
    assert DAILY.infer_manual_data_interval(run_after=utc(2024, 1, 5, 7)) == DataInterval.exact(
        utc(2024, 1, 5, 7)
    )


def test_daily_at_two_in_amsterdam_across_the_spring_gap():
    tt = CronTriggerTimetable("0 2 * * *", timezone="Europe/Amsterdam")
    start = pendulum.datetime(2024, 3, 30, tz="Europe/Amsterdam")
    runs = schedule_runs(tt, TimeRestriction(start, None, True), now=FAR_FUTURE, count=3)
    assert [r.run_after for r in runs] == [utc(2024, 3, 30, 1), utc(2024, 3, 31, 1), utc(2024, 4, 1, 0)]


def test_start_date_on_the_tick_before_a_dst_gap_is_skipped_like_airflow():
    # Airflow (checked on 3.1.8) aligns 02:00 CET on 30 March forward to the next tick,
    # because the previous tick of 03:00 CEST on the 31st is that same instant.
    tt = CronTriggerTimetable("0 2 * * *", timezone="Europe/Amsterdam")
    assert next_run(tt, earliest=utc(2024, 3, 30, 1)).run_after == utc(2024, 3, 31, 1)


def test_serialize_round_trips():
    tt = CronTriggerTimetable(
        "@daily",
        timezone="Europe/Amsterdam",
        interval=dt.timedelta(hours=1),
        run_immediately=dt.timedelta(minutes=3),
    )
    assert tt.serialize() == {
        "type": "CronTriggerTimetable",
        "expression": "0 0 * * *",
        "timezone": "Europe/Amsterdam",
        "interval": 3600.0,
        "run_immediately": 180.0,
    }
    assert CronTriggerTimetable.deserialize(tt.serialize()) == tt
    assert tt.run_immediately == dt.timedelta(minutes=3)


def test_bad_interval_is_a_schedule_error():
    with pytest.raises(ScheduleError, match="interval must be"):
        CronTriggerTimetable("@daily", timezone="UTC", interval=3600)  # type: ignore[arg-type]


# -- DeltaTriggerTimetable ---------------------------------------------------------------------
def test_delta_trigger_fires_at_the_start_date_then_every_delta():
    tt = DeltaTriggerTimetable(dt.timedelta(days=1))
    runs = schedule_runs(tt, TimeRestriction(utc(2015, 6, 1), None, True), now=FAR_FUTURE, count=2)
    assert [(r.run_after, r.logical_date) for r in runs] == [
        (utc(2015, 6, 1), utc(2015, 6, 1)),
        (utc(2015, 6, 2), utc(2015, 6, 2)),
    ]


def test_delta_trigger_without_catchup_fires_now():
    tt = DeltaTriggerTimetable(dt.timedelta(days=1))
    now = utc(2015, 6, 5, 13, 17)
    assert next_run(tt, earliest=utc(2015, 6, 1), catchup=False, now=now).run_after == now


def test_delta_trigger_manual_interval_and_serialization():
    tt = DeltaTriggerTimetable(dt.timedelta(hours=6), interval=dt.timedelta(hours=6))
    assert tt.infer_manual_data_interval(run_after=utc(2024, 1, 1, 12)) == DataInterval(
        utc(2024, 1, 1, 6), utc(2024, 1, 1, 12)
    )
    assert tt.serialize() == {"type": "DeltaTriggerTimetable", "delta": 21600.0, "interval": 21600.0}
    assert DeltaTriggerTimetable.deserialize(tt.serialize()) == tt
    assert tt.summary == "6:00:00"
    assert tt.description == "Every 6 hours"


# -- MultipleCronTriggerTimetable -------------------------------------------------------------
TWICE_A_DAY = MultipleCronTriggerTimetable("0 0 * * *", "0 12 * * *", timezone="UTC")


def test_multiple_crons_interleave_with_catchup():
    runs = schedule_runs(TWICE_A_DAY, TimeRestriction(utc(2024, 1, 1), None, True), now=FAR_FUTURE, count=3)
    assert [r.run_after for r in runs] == [utc(2024, 1, 1), utc(2024, 1, 1, 12), utc(2024, 1, 2)]


def test_multiple_crons_without_catchup_take_the_newest_past_tick():
    info = next_run(TWICE_A_DAY, earliest=utc(2024, 1, 1), catchup=False, now=utc(2024, 1, 10, 13))
    assert info.run_after == utc(2024, 1, 10, 12)


def test_multiple_crons_without_catchup_take_the_soonest_future_tick():
    info = next_run(
        TWICE_A_DAY,
        earliest=utc(2024, 1, 1),
        catchup=False,
        last=DataInterval.exact(utc(2024, 1, 10, 12)),
        now=utc(2024, 1, 10, 13),
    )
    assert info.run_after == utc(2024, 1, 11)


def test_multiple_crons_shape():
    assert TWICE_A_DAY.summary == "0 0 * * *, 0 12 * * *"
    assert TWICE_A_DAY.description == "At 00:00, At 12:00"
    assert MultipleCronTriggerTimetable.deserialize(TWICE_A_DAY.serialize()) == TWICE_A_DAY
    assert intervals([next_run(TWICE_A_DAY, latest=utc(2023, 1, 1), earliest=utc(2024, 1, 1))]) == [None]
    with pytest.raises(ScheduleError):
        MultipleCronTriggerTimetable(timezone="UTC")
