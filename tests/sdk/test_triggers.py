"""Triggers, ``defer()``/``resume_execution`` and the deferrable sensors (no triggerer here)."""

from __future__ import annotations

import asyncio
import importlib
from datetime import UTC, datetime, time, timedelta

import pytest

from brisa.compat import shim_installed
from brisa.sdk import timezone as tz
from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.dag import DAG
from brisa.sdk.exceptions import (
    AirflowSensorTimeout,
    AirflowSkipException,
    TaskDeferralError,
    TaskDeferralTimeout,
    TaskDeferred,
)
from brisa.sdk.sensors.date_time import DateTimeSensor, DateTimeSensorAsync
from brisa.sdk.sensors.filesystem import FileSensor
from brisa.sdk.sensors.time import TimeSensor, TimeSensorAsync
from brisa.sdk.sensors.time_delta import TimeDeltaSensor, TimeDeltaSensorAsync
from brisa.sdk.triggers.base import TaskSuccessEvent, TriggerEvent
from brisa.sdk.triggers.file import FileTrigger
from brisa.sdk.triggers.temporal import DateTimeTrigger, TimeDeltaTrigger
from brisa.triggerer.classes import build_trigger, load_trigger_class

START = datetime(2024, 1, 1)


async def first_event(trigger):
    async for event in trigger.run():
        return event
    return None


def fire(trigger):
    return asyncio.run(first_event(trigger))


# -- triggers -------------------------------------------------------------------------------------
def test_a_datetime_trigger_past_its_moment_fires_with_the_moment():
    moment = tz.utcnow() - timedelta(seconds=1)
    assert fire(DateTimeTrigger(moment)) == TriggerEvent(moment)


def test_end_from_trigger_fires_a_success_event_that_ends_the_task():
    event = fire(DateTimeTrigger(tz.utcnow() - timedelta(seconds=1), end_from_trigger=True))
    assert isinstance(event, TaskSuccessEvent) and event.task_state == "success"


def test_a_datetime_trigger_refuses_naive_datetimes_as_airflow():
    with pytest.raises(ValueError, match="naive"):
        DateTimeTrigger(datetime(2030, 1, 1))


def test_a_timedelta_trigger_waits_from_its_creation_and_serializes_its_moment():
    before = tz.utcnow()
    trigger = TimeDeltaTrigger(timedelta(hours=1))
    assert before + timedelta(hours=1) <= trigger.moment <= tz.utcnow() + timedelta(hours=1)
    classpath, kwargs = trigger.serialize()
    assert classpath == "brisa.sdk.triggers.temporal.DateTimeTrigger"
    assert kwargs == {"moment": trigger.moment, "end_from_trigger": False}


def test_a_trigger_is_rebuilt_from_its_serialized_form_through_json():
    from brisa import serde

    trigger = DateTimeTrigger(datetime(2030, 5, 6, 7, 8, tzinfo=UTC), end_from_trigger=True)
    classpath, kwargs = trigger.serialize()
    rebuilt = build_trigger(classpath, serde.dumps(kwargs))
    assert type(rebuilt) is DateTimeTrigger
    assert rebuilt.serialize() == trigger.serialize()


def test_airflow_class_paths_load_brisas_triggers():
    assert load_trigger_class("airflow.triggers.temporal.DateTimeTrigger") is DateTimeTrigger
    assert load_trigger_class("airflow.providers.standard.triggers.file.FileTrigger") is FileTrigger


def test_a_file_trigger_fires_once_a_matching_file_exists(tmp_path):
    (tmp_path / "data_1.csv").write_text("x")
    trigger = FileTrigger(str(tmp_path / "data_*.csv"), poke_interval=0.01)
    assert fire(trigger) == TriggerEvent(True)
    assert build_trigger(*_json(trigger)).serialize() == trigger.serialize()


def _json(trigger):
    from brisa import serde

    classpath, kwargs = trigger.serialize()
    return classpath, serde.dumps(kwargs)


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("airflow.triggers.base", ("BaseTrigger", "TriggerEvent", "TaskSuccessEvent", "StartTriggerArgs")),
        ("airflow.triggers.temporal", ("DateTimeTrigger", "TimeDeltaTrigger")),
        ("airflow.triggers.file", ("FileTrigger",)),
        ("airflow.providers.standard.triggers.temporal", ("DateTimeTrigger", "TimeDeltaTrigger")),
        ("airflow.providers.standard.triggers.file", ("FileTrigger",)),
        ("airflow.sdk.bases.trigger", ("BaseTrigger", "TriggerEvent")),
        ("airflow.exceptions", ("TaskDeferred", "TaskDeferralError", "TaskDeferralTimeout")),
        ("airflow.providers.common.compat.standard.triggers", ("TimeDeltaTrigger",)),
        ("airflow.providers.common.compat.triggers", ("BaseEventTrigger",)),
    ],
)
def test_airflows_trigger_import_paths_work(module, names):
    with shim_installed():
        imported = importlib.import_module(module)
        for name in names:
            assert getattr(imported, name) is not None


# -- defer and resume ------------------------------------------------------------------------------
class Waits(BaseOperator):
    def execute(self, context):
        try:
            self.defer(trigger=TimeDeltaTrigger(timedelta(1)), method_name="done", kwargs={"a": 1})
        except Exception:  # DAG code catching everything must not swallow a deferral
            raise AssertionError("TaskDeferred is a BaseException, as in Airflow") from None

    def done(self, context, a, event=None):
        return a, event


def test_defer_raises_task_deferred_with_the_trigger_and_method():
    with pytest.raises(TaskDeferred) as info:
        Waits(task_id="w").execute({})
    assert info.value.method_name == "done" and info.value.kwargs == {"a": 1}
    assert isinstance(info.value.trigger, DateTimeTrigger)


def test_resume_execution_calls_the_method_with_its_kwargs_and_the_event():
    assert Waits(task_id="w").resume_execution("done", {"a": 1, "event": "fired"}, {}) == (1, "fired")


@pytest.mark.parametrize(
    ("error", "raised"), [("Trigger timeout", TaskDeferralTimeout), ("Trigger failure", TaskDeferralError)]
)
def test_a_failed_trigger_resumes_into_an_error(error, raised):
    with pytest.raises(raised, match=error):
        Waits(task_id="w").resume_execution("__fail__", {"error": error, "traceback": ["boom"]}, {})


def test_a_deferred_sensor_timing_out_is_a_sensor_timeout_or_a_skip_with_soft_fail():
    sensor = FileSensor(task_id="f", filepath="x", deferrable=True)
    with pytest.raises(AirflowSensorTimeout):
        sensor.resume_execution("__fail__", {"error": "Trigger timeout"}, {})
    soft = FileSensor(task_id="g", filepath="x", deferrable=True, soft_fail=True)
    with pytest.raises(AirflowSkipException):
        soft.resume_execution("__fail__", {"error": "Trigger timeout"}, {})


# -- the deferrable sensors -----------------------------------------------------------------------
def _deferral(task, context):
    with pytest.raises(TaskDeferred) as info:
        task.execute(context)
    return info.value


def test_time_delta_sensor_deferrable_defers_until_the_interval_end_plus_delta():
    end = tz.utcnow() + timedelta(hours=1)
    for task in (
        TimeDeltaSensor(task_id="a", delta=timedelta(minutes=5), deferrable=True),
        TimeDeltaSensorAsync(task_id="b", delta=timedelta(minutes=5)),
    ):
        deferral = _deferral(task, {"data_interval_end": end})
        assert deferral.trigger.moment == end + timedelta(minutes=5)
        assert deferral.method_name == "execute_complete"
    past = TimeDeltaSensor(task_id="c", delta=timedelta(minutes=5), deferrable=True)
    assert past.execute({"data_interval_end": tz.utcnow() - timedelta(hours=1)}) is None


def test_end_from_trigger_is_handed_to_the_trigger():
    task = TimeDeltaSensor(task_id="a", delta=timedelta(1), deferrable=True, end_from_trigger=True)
    assert _deferral(task, {"data_interval_end": tz.utcnow()}).trigger.end_from_trigger is True


def test_date_time_sensor_async_defers_on_its_target_time():
    deferral = _deferral(DateTimeSensorAsync(task_id="d", target_time="2099-01-02T03:04:05+00:00"), {})
    assert deferral.trigger.moment == datetime(2099, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert DateTimeSensorAsync.start_trigger_args.next_method == "execute_complete"
    assert isinstance(
        _deferral(DateTimeSensor(task_id="e", target_time="2099-01-01", deferrable=True), {}).trigger,
        DateTimeTrigger,
    )


def test_time_sensor_async_defers_on_todays_target_time_in_the_dag_time_zone():
    with DAG("t", schedule=None, start_date=START):
        sensor = TimeSensorAsync(task_id="t", target_time=time(23, 59, 59, 999999))
    moment = _deferral(sensor, {}).trigger.moment
    assert (moment.hour, moment.minute) == (23, 59) and moment.date() == tz.utcnow().date()
    assert isinstance(TimeSensor(task_id="u", target_time=time(1), deferrable=True), TimeSensor)


def test_file_sensor_deferrable_pokes_once_then_defers_with_its_timeout(tmp_path):
    sensor = FileSensor(
        task_id="f", filepath=str(tmp_path / "x"), deferrable=True, timeout=30, poke_interval=2
    )
    deferral = _deferral(sensor, {})
    assert deferral.trigger.serialize()[1] == {
        "filepath": str(tmp_path / "x"),
        "recursive": False,
        "poke_interval": 2.0,
    }
    assert deferral.timeout == timedelta(seconds=30)
    (tmp_path / "x").write_text("here")
    assert sensor.execute({}) is None
    with pytest.raises(Exception, match="not found"):
        sensor.execute_complete({}, event=None)
