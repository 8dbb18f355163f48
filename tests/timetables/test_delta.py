"""``DeltaSchedule`` and the delta encoding."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import FR, relativedelta

from brisa.errors import ScheduleError
from brisa.timetables.delta import DeltaSchedule, decode_delta, encode_delta

from .helpers import utc


def test_steps_are_in_utc_and_every_instant_is_aligned():
    hourly = DeltaSchedule(dt.timedelta(hours=1))
    assert hourly.next_after(utc(2024, 1, 1, 10, 30)) == utc(2024, 1, 1, 11, 30)
    assert hourly.prev_before(utc(2024, 1, 1, 10, 30)) == utc(2024, 1, 1, 9, 30)
    assert hourly.align_next(utc(2024, 1, 1, 10, 30)) == hourly.align_prev(utc(2024, 1, 1, 10, 30))


def test_relativedelta_steps_by_calendar_months():
    monthly = DeltaSchedule(relativedelta(months=1))
    assert monthly.next_after(utc(2024, 1, 31)) == utc(2024, 2, 29)


def test_round_down_floors_to_the_delta_since_the_epoch():
    assert DeltaSchedule(dt.timedelta(hours=6)).round_down(utc(2024, 1, 10, 13, 17)) == utc(2024, 1, 10, 12)
    assert DeltaSchedule(relativedelta(microseconds=5)).round_down(utc(2024, 1, 1, 0, 0, 1)) == utc(
        2024, 1, 1, 0, 0, 1
    )


@pytest.mark.parametrize(
    "delta",
    [
        dt.timedelta(minutes=90),
        relativedelta(years=1, months=2, days=3, hours=4),
        relativedelta(weekday=FR(-1), day=31),
    ],
)
def test_encoding_round_trips(delta):
    assert decode_delta(encode_delta(delta)) == delta


def test_encoding_shape():
    assert encode_delta(dt.timedelta(days=1)) == 86400.0
    assert encode_delta(relativedelta(months=1)) == {"relativedelta": {"months": 1}}


def test_bad_deltas_are_schedule_errors():
    with pytest.raises(ScheduleError, match="not a timedelta"):
        DeltaSchedule("1 day")  # type: ignore[arg-type]
    with pytest.raises(ScheduleError, match="must be positive"):
        DeltaSchedule(relativedelta(months=-1))
