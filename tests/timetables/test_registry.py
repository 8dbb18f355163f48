"""``timetable_for`` (what a plain ``schedule`` means per generation) and ``timetable_from_dict``."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

import brisa.timetables as timetables
from brisa.errors import ScheduleError
from brisa.timetables import (
    ContinuousTimetable,
    CronDataIntervalTimetable,
    CronTriggerTimetable,
    DeltaDataIntervalTimetable,
    DeltaTriggerTimetable,
    EventsTimetable,
    MultipleCronTriggerTimetable,
    NullTimetable,
    OnceTimetable,
    timetable_for,
    timetable_from_dict,
)

from .helpers import utc


@pytest.mark.parametrize(
    ("schedule", "generation", "expected"),
    [
        (None, "2", NullTimetable()),
        (None, "3", NullTimetable()),
        ("@once", "2", OnceTimetable()),
        ("@once", "3", OnceTimetable()),
        ("@continuous", "3", ContinuousTimetable()),
        ("@daily", "2", CronDataIntervalTimetable("0 0 * * *", "UTC")),
        ("@daily", "3", CronTriggerTimetable("0 0 * * *", timezone="UTC")),
        ("*/5 * * * *", "2", CronDataIntervalTimetable("*/5 * * * *", "UTC")),
        (dt.timedelta(days=1), "2", DeltaDataIntervalTimetable(dt.timedelta(days=1))),
        (dt.timedelta(days=1), "3", DeltaTriggerTimetable(dt.timedelta(days=1))),
        (relativedelta(months=1), "2", DeltaDataIntervalTimetable(relativedelta(months=1))),
        (relativedelta(months=1), "3", DeltaTriggerTimetable(relativedelta(months=1))),
    ],
)
def test_plain_schedules_per_generation(schedule, generation, expected):
    assert timetable_for(schedule, generation=generation) == expected


def test_cron_uses_the_dag_timezone():
    tt = timetable_for("0 2 * * *", generation="2", timezone="Europe/Amsterdam")
    assert tt.serialize()["timezone"] == "Europe/Amsterdam"
    assert tt.next_after(utc(2024, 1, 1)) == utc(2024, 1, 1, 1)


def test_presets_expand_like_airflow():
    summaries = {
        preset: timetable_for(preset, generation="2").summary
        for preset in (
            "@hourly",
            "@daily",
            "@weekly",
            "@monthly",
            "@quarterly",
            "@yearly",
            "@annually",
            "@midnight",
        )
    }
    assert summaries == {
        "@hourly": "0 * * * *",
        "@daily": "0 0 * * *",
        "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *",
        "@quarterly": "0 0 1 */3 *",
        "@yearly": "0 0 1 1 *",
        "@annually": "@annually",  # not an Airflow preset: croniter reads it
        "@midnight": "@midnight",
    }
    assert timetable_for("@annually", generation="2").next_after(utc(2024, 3, 1)) == utc(2025, 1, 1)
    assert timetable_for("@midnight", generation="2").description == "At 00:00"


def test_a_timetable_instance_is_used_as_is():
    tt = EventsTimetable([utc(2024, 1, 1)])
    assert timetable_for(tt, generation="2") is tt


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("not a cron", "invalid cron expression 'not a cron'"),
        ("61 * * * *", "invalid cron expression '61 \\* \\* \\* \\*'.*out of range"),
        ("0 0 31 2 *", "never matches a date"),
        (42, "42 is not a valid schedule"),
        (dt.timedelta(0), "must be positive"),
    ],
)
def test_bad_schedules_raise_schedule_error_naming_them(schedule, message):
    with pytest.raises(ScheduleError, match=message):
        timetable_for(schedule, generation="2")


def test_unknown_generation_is_refused():
    with pytest.raises(ScheduleError, match="generation"):
        timetable_for("@daily", generation="1")


@pytest.mark.parametrize(
    "timetable",
    [
        NullTimetable(),
        OnceTimetable(),
        ContinuousTimetable(),
        CronDataIntervalTimetable("30 21 * * 5", "America/Sao_Paulo"),
        DeltaDataIntervalTimetable(relativedelta(months=1, days=2)),
        CronTriggerTimetable("@hourly", timezone="Europe/Amsterdam", run_immediately=True),
        DeltaTriggerTimetable(dt.timedelta(minutes=30)),
        MultipleCronTriggerTimetable("0 1 * * *", "0 13 * * *", timezone="UTC"),
        EventsTimetable([utc(2024, 1, 1)], restrict_to_events=True),
    ],
)
def test_every_builtin_round_trips_through_json(timetable):
    import json

    data = json.loads(json.dumps(timetable.serialize()))
    rebuilt = timetable_from_dict(data)
    assert rebuilt == timetable
    assert (rebuilt.summary, rebuilt.description) == (timetable.summary, timetable.description)


def test_unknown_or_malformed_dicts_raise_schedule_error():
    with pytest.raises(ScheduleError, match="unknown timetable type 'MyTimetable'"):
        timetable_from_dict({"type": "MyTimetable"})
    with pytest.raises(ScheduleError, match="malformed serialized CronDataIntervalTimetable"):
        timetable_from_dict({"type": "CronDataIntervalTimetable"})


def test_package_exports():
    for name in timetables.__all__:
        assert hasattr(timetables, name), name
    assert "timetable_for" in timetables.__all__ and "Timetable" in timetables.__all__
