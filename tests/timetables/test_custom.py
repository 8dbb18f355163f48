"""A DAG author's Timetable subclass behind Brisa's protocol (Airflow 2.2+ / 3.x custom timetables).

Pins Airflow 2.10.5 and 3.3.2's behaviour: ``next_dagrun_info`` takes no ``now``, the
class is serialized by import path with its own ``serialize()``, and one that no plugin
registers is refused with "Timetable class ... is not registered".
"""

from __future__ import annotations

import pytest

from brisa.errors import ScheduleError
from brisa.plugins import registered_timetables
from brisa.timetables import (
    CronTriggerTimetable,
    CustomTimetable,
    DagRunInfo,
    DataInterval,
    TimeRestriction,
    Timetable,
    timetable_for,
    timetable_from_dict,
)
from brisa.timetables.custom import qualname
from tests.plugins.helpers import plugins_folder
from tests.timetables.helpers import intervals, schedule_runs, utc


class EveryOtherDay(Timetable):
    """Airflow's signature: no ``now``."""

    description = "every other day"

    def __init__(self, step: int = 2) -> None:
        self.step = step

    def serialize(self):
        return {"step": self.step}

    @classmethod
    def deserialize(cls, data):
        return cls(data["step"])

    def infer_manual_data_interval(self, *, run_after):
        return DataInterval(run_after.subtract(days=self.step), run_after)

    def next_dagrun_info(self, *, last_automated_data_interval, restriction):
        start = (
            restriction.earliest if last_automated_data_interval is None else last_automated_data_interval.end
        )
        return DagRunInfo.interval(start, start.add(days=self.step))


class TakesNow(EveryOtherDay):
    def next_dagrun_info(self, *, last_automated_data_interval, restriction, now):
        return DagRunInfo.exact(now)


def registry(*classes):
    return lambda: {qualname(cls): cls for cls in classes}


def test_next_dagrun_info_is_called_without_now_as_airflow_does():
    custom = CustomTimetable(EveryOtherDay())
    runs = schedule_runs(custom, TimeRestriction(utc(2024, 1, 1), None, True), now=utc(2024, 2, 1), count=2)
    assert intervals(runs) == [
        ("2024-01-01T00:00:00+00:00", "2024-01-03T00:00:00+00:00"),
        ("2024-01-03T00:00:00+00:00", "2024-01-05T00:00:00+00:00"),
    ]


def test_a_timetable_that_takes_now_gets_the_schedulers_clock():
    custom = CustomTimetable(TakesNow())
    info = custom.next_dagrun_info(
        last_automated_data_interval=None, restriction=TimeRestriction(None, None, True), now=utc(2024, 5, 6)
    )
    assert info.logical_date == utc(2024, 5, 6)


def test_manual_runs_and_attributes_come_from_the_authors_class():
    custom = CustomTimetable(EveryOtherDay(3))
    assert custom.infer_manual_data_interval(run_after=utc(2024, 1, 10)) == DataInterval(
        utc(2024, 1, 7), utc(2024, 1, 10)
    )
    assert (custom.description, custom.summary, custom.periodic, custom.can_be_scheduled) == (
        "every other day",
        "EveryOtherDay",
        True,
        True,
    )
    assert custom.step == 3  # DAG code reading its own timetable's attributes


def test_serialized_by_import_path_with_its_own_serialize_and_rebuilt():
    known = registry(EveryOtherDay)
    data = CustomTimetable(EveryOtherDay(5), registry=known).serialize()
    assert data == {"type": "plugin", "class": qualname(EveryOtherDay), "value": {"step": 5}}
    rebuilt = CustomTimetable.from_dict(data, registry=known)
    assert isinstance(rebuilt.inner, EveryOtherDay) and rebuilt.inner.step == 5


def test_a_class_no_plugin_registers_is_refused_with_airflows_message():
    with pytest.raises(ScheduleError, match=r"Timetable class '.*EveryOtherDay' is not registered"):
        CustomTimetable(EveryOtherDay(), registry=registry()).serialize()
    with pytest.raises(ScheduleError, match="is not registered"):
        CustomTimetable.from_dict(
            {"type": "plugin", "class": "gone.Timetable", "value": {}}, registry=registry()
        )


def test_a_failing_deserialize_is_a_schedule_error():
    data = {"type": "plugin", "class": qualname(EveryOtherDay), "value": {}}
    with pytest.raises(ScheduleError, match=r"deserialize\(\) failed: KeyError\('step'\)"):
        CustomTimetable.from_dict(data, registry=registry(EveryOtherDay))


def test_timetable_for_wraps_only_the_authors_classes():
    builtin = CronTriggerTimetable("0 3 * * *", timezone="UTC")
    assert timetable_for(builtin, generation="3") is builtin
    wrapped = timetable_for(EveryOtherDay(), generation="2")
    assert isinstance(wrapped, CustomTimetable) and isinstance(wrapped.inner, EveryOtherDay)


def test_timetable_from_dict_finds_the_plugins_timetable_in_the_registry_passed_in(tmp_path):
    with plugins_folder(tmp_path / "plugins"):
        WorkweekTimetable = registered_timetables()["workweek.WorkweekTimetable"]
        workweek = WorkweekTimetable(hour_offset=1)
        data = timetable_for(workweek, generation="2", registry=registered_timetables).serialize()
        assert data == {"type": "plugin", "class": "workweek.WorkweekTimetable", "value": {"hour_offset": 1}}
        # The timetables package never loads plugins itself: without a registry, none is known.
        with pytest.raises(ScheduleError, match="is not registered"):
            timetable_for(workweek, generation="2").serialize()
        with pytest.raises(ScheduleError, match="is not registered"):
            timetable_from_dict(data)
        rebuilt = timetable_from_dict(data, registry=registered_timetables)
        runs = schedule_runs(
            rebuilt, TimeRestriction(utc(2024, 1, 5), None, True), now=utc(2024, 2, 1), count=2
        )
    assert intervals(runs) == [  # Friday, then Monday
        ("2024-01-05T00:00:00+00:00", "2024-01-06T00:00:00+00:00"),
        ("2024-01-08T00:00:00+00:00", "2024-01-09T00:00:00+00:00"),
    ]
    assert runs[0].run_after == utc(2024, 1, 6, 1)
