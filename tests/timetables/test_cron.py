"""``CronSchedule``: validation, time zones and the DST rules."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pendulum
import pytest

from brisa.errors import ScheduleError
from brisa.timetables.cron import CronSchedule, decode_timezone, encode_timezone, resolve_timezone

from .helpers import utc


def test_ticks_are_strictly_after_or_before():
    daily = CronSchedule("@daily", "UTC")
    assert daily.next_after(utc(2024, 1, 1)) == utc(2024, 1, 2)
    assert daily.prev_before(utc(2024, 1, 1)) == utc(2023, 12, 31)
    assert daily.align_next(utc(2024, 1, 1)) == utc(2024, 1, 1)
    assert daily.align_next(utc(2024, 1, 1, 0, 0, 1)) == utc(2024, 1, 2)
    assert daily.align_prev(utc(2024, 1, 1, 23)) == utc(2024, 1, 1)


def test_six_fields_with_seconds_are_accepted():
    assert CronSchedule("0 0 * * * 30", "UTC").next_after(utc(2024, 1, 1)) == utc(2024, 1, 1, 0, 0, 30)


def test_results_are_utc_for_a_local_schedule():
    tick = CronSchedule("0 9 * * *", "Asia/Tokyo").next_after(utc(2024, 1, 1))
    assert tick == utc(2024, 1, 2, 0) and tick.timezone_name == "UTC"


@pytest.mark.parametrize(
    ("cron", "reason"),
    [
        ("* * *", "columns"),
        ("0 25 * * *", "out of range"),
        ("@once", "invalid cron expression '@once'"),
        ("0 0 30 2 *", "never matches a date"),
    ],
)
def test_bad_expressions_are_schedule_errors(cron, reason):
    with pytest.raises(ScheduleError, match=reason):
        CronSchedule(cron, "UTC")


def test_a_non_string_is_refused():
    with pytest.raises(ScheduleError, match="must be a string"):
        CronSchedule(5, "UTC")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("zone", "name"),
    [
        ("Europe/Amsterdam", "Europe/Amsterdam"),
        (zoneinfo.ZoneInfo("America/Sao_Paulo"), "America/Sao_Paulo"),
        (pendulum.timezone("UTC"), "UTC"),
        (dt.UTC, "UTC"),
        (dt.timezone(dt.timedelta(hours=2)), 7200),
        (3600, 3600),
    ],
)
def test_timezones_resolve_and_encode_like_airflow(zone, name):
    resolved = resolve_timezone(zone)
    assert encode_timezone(resolved) == name
    assert decode_timezone(encode_timezone(resolved)) == resolved


def test_an_unknown_timezone_is_a_schedule_error():
    with pytest.raises(ScheduleError, match="unknown timezone 'Mars/Olympus'"):
        CronSchedule("@daily", "Mars/Olympus")
