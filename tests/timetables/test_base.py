"""The value types and the base class."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from brisa.timetables import DagRunInfo, DataInterval, NullTimetable, OnceTimetable, TimeRestriction

from .helpers import utc


def test_data_interval_is_utc_and_unpacks_like_airflows_named_tuple():
    interval = DataInterval(pendulum.datetime(2024, 1, 1, 1, tz="Europe/Amsterdam"), dt.datetime(2024, 1, 2))
    start, end = interval
    assert (start, end) == (utc(2024, 1, 1), utc(2024, 1, 2))
    assert start.timezone_name == "UTC" and isinstance(end, pendulum.DateTime)
    assert DataInterval.exact(utc(2024, 1, 1)) == DataInterval(utc(2024, 1, 1), utc(2024, 1, 1))
    with pytest.raises(AttributeError):
        interval.start = utc(2000, 1, 1)  # frozen


def test_time_restriction_normalises_to_utc():
    restriction = TimeRestriction(dt.datetime(2024, 1, 1), None, True)
    earliest, latest, catchup = restriction
    assert (earliest, latest, catchup) == (utc(2024, 1, 1), None, True)


def test_dag_run_info_logical_date_defaults_to_the_interval_start():
    info = DagRunInfo.interval(utc(2024, 1, 1), utc(2024, 1, 2))
    assert (info.run_after, info.logical_date) == (utc(2024, 1, 2), utc(2024, 1, 1))
    assert DagRunInfo.exact(utc(2024, 1, 3)).logical_date == utc(2024, 1, 3)
    explicit = DagRunInfo(utc(2024, 1, 2), DataInterval(utc(2024, 1, 1), utc(2024, 1, 2)), utc(2024, 1, 2))
    assert explicit.logical_date == utc(2024, 1, 2)


def test_timetables_compare_by_type_and_serialized_form():
    assert NullTimetable() == NullTimetable()
    assert NullTimetable() != OnceTimetable()
    assert hash(NullTimetable()) == hash(NullTimetable())
    assert NullTimetable() != "None"
    assert repr(OnceTimetable()) == "OnceTimetable('@once')"
    assert NullTimetable().type_name == "NullTimetable"
