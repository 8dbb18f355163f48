"""Data-interval timetables (Airflow 1.10/2.x): golden dates worked out from Airflow's rules."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from dateutil.relativedelta import relativedelta

from brisa.errors import ScheduleError
from brisa.timetables import (
    CronDataIntervalTimetable,
    DataInterval,
    DeltaDataIntervalTimetable,
    TimeRestriction,
)

from .helpers import FAR_FUTURE, intervals, schedule_runs, utc

DAILY = CronDataIntervalTimetable("@daily", "UTC")


def iso(*args: int) -> str:
    return utc(*args).isoformat()


# -- first run, catchup, end date ---------------------------------------------------
def test_tutorial_dag_runs_each_day_at_the_end_of_its_interval():
    tutorial = DeltaDataIntervalTimetable(dt.timedelta(days=1))
    runs = schedule_runs(tutorial, TimeRestriction(utc(2015, 6, 1), None, True), now=FAR_FUTURE, count=3)
    assert [(r.logical_date, r.run_after) for r in runs] == [
        (utc(2015, 6, 1), utc(2015, 6, 2)),
        (utc(2015, 6, 2), utc(2015, 6, 3)),
        (utc(2015, 6, 3), utc(2015, 6, 4)),
    ]


def test_cron_catchup_fills_every_missed_interval_from_the_start_date():
    runs = schedule_runs(DAILY, TimeRestriction(utc(2024, 1, 1), None, True), now=utc(2024, 1, 4, 5), count=3)
    assert intervals(runs) == [
        (iso(2024, 1, 1), iso(2024, 1, 2)),
        (iso(2024, 1, 2), iso(2024, 1, 3)),
        (iso(2024, 1, 3), iso(2024, 1, 4)),
    ]


def test_start_date_off_the_cron_grid_starts_at_the_next_tick():
    runs = schedule_runs(DAILY, TimeRestriction(utc(2015, 6, 1, 10, 30), None, True), now=FAR_FUTURE, count=1)
    assert intervals(runs) == [(iso(2015, 6, 2), iso(2015, 6, 3))]


def test_delta_schedule_starts_exactly_at_an_off_grid_start_date():
    hourly = DeltaDataIntervalTimetable(dt.timedelta(hours=1))
    runs = schedule_runs(
        hourly, TimeRestriction(utc(2015, 6, 1, 10, 30), None, True), now=FAR_FUTURE, count=1
    )
    assert intervals(runs) == [(iso(2015, 6, 1, 10, 30), iso(2015, 6, 1, 11, 30))]


def test_end_date_is_inclusive_for_the_interval_start():
    runs = schedule_runs(
        DAILY, TimeRestriction(utc(2024, 1, 1), utc(2024, 1, 3), True), now=FAR_FUTURE, count=5
    )
    assert [r.logical_date if r else None for r in runs] == [
        utc(2024, 1, 1),
        utc(2024, 1, 2),
        utc(2024, 1, 3),
        None,
    ]


def test_no_start_date_and_catchup_means_no_run():
    assert (
        DAILY.next_dagrun_info(
            last_automated_data_interval=None, restriction=TimeRestriction(None, None, True), now=FAR_FUTURE
        )
        is None
    )


def test_naive_start_date_is_utc():
    runs = schedule_runs(DAILY, TimeRestriction(dt.datetime(2024, 1, 1), None, True), now=FAR_FUTURE, count=1)
    assert runs[0].logical_date == utc(2024, 1, 1)


# -- catchup=False (Airflow 2 rule: the newest *complete* interval) -------------------
@pytest.mark.parametrize(
    ("now", "expected_start"),
    [
        (utc(2024, 1, 10, 13), utc(2024, 1, 9)),  # between ticks: the interval that ended at 00:00
        (utc(2024, 1, 10), utc(2024, 1, 9)),  # on a tick: the interval that ends right now
        (utc(2024, 1, 10, 0, 0, 1), utc(2024, 1, 9)),
    ],
)
def test_cron_without_catchup_jumps_to_the_latest_complete_interval(now, expected_start):
    info = DAILY.next_dagrun_info(
        last_automated_data_interval=None, restriction=TimeRestriction(utc(2024, 1, 1), None, False), now=now
    )
    assert info.data_interval == DataInterval(expected_start, expected_start.add(days=1))
    assert info.run_after == expected_start.add(days=1)


def test_cron_without_catchup_skips_past_an_old_last_run():
    info = DAILY.next_dagrun_info(
        last_automated_data_interval=DataInterval(utc(2024, 1, 4), utc(2024, 1, 5)),
        restriction=TimeRestriction(utc(2024, 1, 1), None, False),
        now=utc(2024, 1, 10, 13),
    )
    assert info.logical_date == utc(2024, 1, 9)


def test_cron_without_catchup_never_goes_before_the_start_date():
    info = DAILY.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(utc(2024, 2, 1, 6), None, False),
        now=utc(2024, 1, 10, 13),
    )
    assert info.logical_date == utc(2024, 2, 2)


def test_cron_without_catchup_continues_from_a_recent_last_run():
    info = DAILY.next_dagrun_info(
        last_automated_data_interval=DataInterval(utc(2024, 1, 9), utc(2024, 1, 10)),
        restriction=TimeRestriction(utc(2024, 1, 1), None, False),
        now=utc(2024, 1, 10, 13),
    )
    assert info.data_interval == DataInterval(utc(2024, 1, 10), utc(2024, 1, 11))


def test_delta_without_catchup_floors_now_to_the_delta_grid_then_steps_back():
    every_six_hours = DeltaDataIntervalTimetable(dt.timedelta(hours=6))
    info = every_six_hours.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(utc(2024, 1, 1), None, False),
        now=utc(2024, 1, 10, 13, 17),
    )
    assert info.data_interval == DataInterval(utc(2024, 1, 10, 6), utc(2024, 1, 10, 12))


def test_relativedelta_rounding_counts_a_month_as_thirty_days():
    monthly = DeltaDataIntervalTimetable(relativedelta(months=1))
    info = monthly.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(None, None, False),
        now=utc(2024, 1, 10),
    )
    # Floors to a multiple of 30 days since the epoch (2023-12-19), then steps back a month.
    assert info.data_interval == DataInterval(utc(2023, 11, 19), utc(2023, 12, 19))


# -- the schedule changed since the last run -----------------------------------------
def test_a_last_run_off_the_new_grid_is_realigned():
    info = DAILY.next_dagrun_info(
        last_automated_data_interval=DataInterval(utc(2024, 1, 1, 6), utc(2024, 1, 2, 6)),
        restriction=TimeRestriction(utc(2024, 1, 1), None, True),
        now=FAR_FUTURE,
    )
    assert info.data_interval == DataInterval(utc(2024, 1, 2), utc(2024, 1, 3))


# -- manual runs ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("run_after", "expected"),
    [
        (utc(2024, 1, 25, 1), (utc(2024, 1, 24), utc(2024, 1, 25))),
        (utc(2024, 1, 25), (utc(2024, 1, 24), utc(2024, 1, 25))),
    ],
)
def test_cron_manual_run_covers_the_last_complete_interval(run_after, expected):
    assert DAILY.infer_manual_data_interval(run_after=run_after) == DataInterval(*expected)


def test_delta_manual_run_covers_the_delta_before_it():
    tt = DeltaDataIntervalTimetable(dt.timedelta(hours=6))
    assert tt.infer_manual_data_interval(run_after=utc(2024, 1, 25, 1, 30)) == DataInterval(
        utc(2024, 1, 24, 19, 30), utc(2024, 1, 25, 1, 30)
    )


# -- time zones and DST --------------------------------------------------------------
def test_daily_at_two_in_amsterdam_across_the_spring_gap():
    tt = CronDataIntervalTimetable("0 2 * * *", "Europe/Amsterdam")
    start = pendulum.datetime(2024, 3, 29, tz="Europe/Amsterdam")
    runs = schedule_runs(tt, TimeRestriction(start, None, True), now=FAR_FUTURE, count=3)
    # 02:00 does not exist on 31 March: Airflow moves it forward to 03:00 CEST (01:00 UTC).
    assert intervals(runs) == [
        (iso(2024, 3, 29, 1), iso(2024, 3, 30, 1)),
        (iso(2024, 3, 30, 1), iso(2024, 3, 31, 1)),
        (iso(2024, 3, 31, 1), iso(2024, 4, 1, 0)),
    ]


def test_daily_at_two_in_amsterdam_across_the_autumn_fold():
    tt = CronDataIntervalTimetable("0 2 * * *", "Europe/Amsterdam")
    runs = schedule_runs(tt, TimeRestriction(utc(2024, 10, 25, 12), None, True), now=FAR_FUTURE, count=3)
    # 02:00 happens twice on 27 October: Airflow takes the second one (02:00 CET).
    assert intervals(runs) == [
        (iso(2024, 10, 26, 0), iso(2024, 10, 27, 1)),
        (iso(2024, 10, 27, 1), iso(2024, 10, 28, 1)),
        (iso(2024, 10, 28, 1), iso(2024, 10, 29, 1)),
    ]


def test_hourly_across_the_fold_runs_every_real_hour():
    tt = CronDataIntervalTimetable("0 * * * *", "Europe/Amsterdam")
    runs = schedule_runs(tt, TimeRestriction(utc(2024, 10, 26, 23), None, True), now=FAR_FUTURE, count=4)
    assert intervals(runs) == [
        (iso(2024, 10, 26, 23), iso(2024, 10, 27, 0)),
        (iso(2024, 10, 27, 0), iso(2024, 10, 27, 1)),  # 02:00 CEST -> 02:00 CET
        (iso(2024, 10, 27, 1), iso(2024, 10, 27, 2)),
        (iso(2024, 10, 27, 2), iso(2024, 10, 27, 3)),
    ]


def test_hourly_across_the_spring_gap_runs_every_real_hour():
    tt = CronDataIntervalTimetable("0 * * * *", "Europe/Amsterdam")
    runs = schedule_runs(tt, TimeRestriction(utc(2024, 3, 31, 0), None, True), now=FAR_FUTURE, count=2)
    assert intervals(runs) == [
        (iso(2024, 3, 31, 0), iso(2024, 3, 31, 1)),  # 01:00 CET -> 03:00 CEST
        (iso(2024, 3, 31, 1), iso(2024, 3, 31, 2)),
    ]


def test_midnight_in_sao_paulo_when_dst_started_at_midnight_in_2018():
    tt = CronDataIntervalTimetable("0 0 * * *", "America/Sao_Paulo")
    start = pendulum.datetime(2018, 11, 2, tz="America/Sao_Paulo")
    runs = schedule_runs(tt, TimeRestriction(start, None, True), now=FAR_FUTURE, count=3)
    # Midnight of 4 November did not exist; it became 01:00 -02 (03:00 UTC).
    assert intervals(runs) == [
        (iso(2018, 11, 2, 3), iso(2018, 11, 3, 3)),
        (iso(2018, 11, 3, 3), iso(2018, 11, 4, 3)),
        (iso(2018, 11, 4, 3), iso(2018, 11, 5, 2)),
    ]


def test_midnight_in_sao_paulo_when_dst_ended_in_2019():
    tt = CronDataIntervalTimetable("0 0 * * *", "America/Sao_Paulo")
    start = pendulum.datetime(2019, 2, 16, tz="America/Sao_Paulo")
    runs = schedule_runs(tt, TimeRestriction(start, None, True), now=FAR_FUTURE, count=2)
    assert intervals(runs) == [
        (iso(2019, 2, 16, 2), iso(2019, 2, 17, 3)),  # a 25-hour day
        (iso(2019, 2, 17, 3), iso(2019, 2, 18, 3)),
    ]


def test_delta_schedules_ignore_dst_like_airflow():
    tt = DeltaDataIntervalTimetable(dt.timedelta(days=1))
    start = pendulum.datetime(2024, 3, 30, 2, tz="Europe/Amsterdam")
    runs = schedule_runs(tt, TimeRestriction(start, None, True), now=FAR_FUTURE, count=2)
    assert intervals(runs) == [
        (iso(2024, 3, 30, 1), iso(2024, 3, 31, 1)),
        (iso(2024, 3, 31, 1), iso(2024, 4, 1, 1)),
    ]


# -- shape -------------------------------------------------------------------------------
def test_summaries_and_descriptions():
    assert DAILY.summary == "0 0 * * *"
    assert DAILY.description == "At 00:00"
    assert DeltaDataIntervalTimetable(dt.timedelta(days=1)).summary == "1 day, 0:00:00"
    assert DeltaDataIntervalTimetable(relativedelta(months=1)).summary == "relativedelta(months=+1)"
    assert DAILY.periodic and DAILY.can_be_scheduled


def test_serialize_round_trips():
    tt = CronDataIntervalTimetable("30 21 * * 5", "Europe/Amsterdam")
    assert tt.serialize() == {
        "type": "CronDataIntervalTimetable",
        "expression": "30 21 * * 5",
        "timezone": "Europe/Amsterdam",
    }
    assert CronDataIntervalTimetable.deserialize(tt.serialize()) == tt
    delta = DeltaDataIntervalTimetable(relativedelta(months=1, weekday=pendulum.MONDAY))
    assert DeltaDataIntervalTimetable.deserialize(delta.serialize()) == delta


def test_zero_or_negative_delta_is_a_schedule_error():
    with pytest.raises(ScheduleError, match="must be positive"):
        DeltaDataIntervalTimetable(dt.timedelta(0))
    with pytest.raises(ScheduleError, match="must be positive"):
        DeltaDataIntervalTimetable(dt.timedelta(days=-1))


def test_prev_before_is_the_previous_tick():
    tt = CronDataIntervalTimetable("0 2 * * *", "Europe/Amsterdam")
    assert tt.prev_before(utc(2024, 4, 1, 0)) == utc(2024, 3, 31, 1)
    assert tt.next_after(utc(2024, 3, 31, 1)) == utc(2024, 4, 1, 0)
