"""``start_from_trigger`` as the loader serializes it: the trigger the scheduler defers on, or
None when the task must start on a worker (off, mapped, templated trigger arguments)."""

from __future__ import annotations

import datetime as dt

import pytest

from brisa import serde
from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.dag import DAG
from brisa.sdk.sensors.date_time import DateTimeSensorAsync
from brisa.sdk.sensors.time import TimeSensor
from brisa.sdk.serialize import serialize_dag
from brisa.sdk.triggers.base import StartTriggerArgs
from brisa.serialized import SerializedDag

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
TARGET = dt.datetime(2030, 5, 1, 12, tzinfo=dt.UTC)


class StartsInTrigger(BaseOperator):
    start_trigger_args = StartTriggerArgs(
        trigger_cls="airflow.providers.standard.triggers.temporal.TimeDeltaTrigger",
        trigger_kwargs={"delta": dt.timedelta(seconds=5)},
        next_method="done",
        next_kwargs={"x": 1},
        timeout=dt.timedelta(minutes=2),
    )
    start_from_trigger = True

    def done(self, context, event=None, x=None):
        return x


def _serialized(build) -> SerializedDag:
    with DAG("d", schedule=None, start_date=START) as dag:
        build()
    return SerializedDag.from_json(serialize_dag(dag).to_json())  # as the scheduler reads it


def test_an_operators_start_trigger_args_are_what_the_scheduler_defers_on():
    spec = _serialized(lambda: StartsInTrigger(task_id="t")).tasks["t"].start_trigger
    assert spec == {
        "classpath": "airflow.providers.standard.triggers.temporal.TimeDeltaTrigger",
        "kwargs": spec["kwargs"],
        "next_method": "done",
        "next_kwargs": serde.dumps({"x": 1}),
        "timeout": 120.0,
    }
    assert serde.loads(spec["kwargs"]) == {"delta": dt.timedelta(seconds=5)}


def test_date_time_sensor_async_starts_from_its_trigger_at_the_target_time():
    spec = (
        _serialized(lambda: DateTimeSensorAsync(task_id="t", target_time=TARGET, start_from_trigger=True))
        .tasks["t"]
        .start_trigger
    )
    assert serde.loads(spec["kwargs"]) == {"moment": TARGET, "end_from_trigger": False}
    assert spec["next_method"] == "execute_complete"


def test_time_sensor_starts_from_its_trigger_at_todays_target_time():
    spec = (
        _serialized(lambda: TimeSensor(task_id="t", target_time=dt.time(23, 59), start_from_trigger=True))
        .tasks["t"]
        .start_trigger
    )
    assert serde.loads(spec["kwargs"])["moment"].time() == dt.time(23, 59)


def test_without_start_from_trigger_the_task_starts_on_a_worker():
    dag = _serialized(lambda: DateTimeSensorAsync(task_id="t", target_time=TARGET))
    assert dag.tasks["t"].start_trigger is None
    assert "start_trigger" not in dag.to_json()  # older DAGs keep their hash


def test_a_templated_target_time_defers_from_the_worker_with_a_warning():
    with pytest.warns(UserWarning, match="defer from the worker"):
        dag = _serialized(
            lambda: DateTimeSensorAsync(task_id="t", target_time="{{ ds }}T12:00:00", start_from_trigger=True)
        )
    assert dag.tasks["t"].start_trigger is None


def test_a_mapped_task_starts_on_a_worker_as_in_airflow_3():
    dag = _serialized(lambda: StartsInTrigger.partial(task_id="t").expand(doc=["a", "b"]))
    assert dag.tasks["t"].start_trigger is None


def test_a_callable_trigger_argument_is_refused():
    class Bad(StartsInTrigger):
        start_trigger_args = StartTriggerArgs(
            trigger_cls="x.T", trigger_kwargs={"f": print}, next_method="done"
        )

    with pytest.raises(ValueError, match="has a callable in trigger kwargs named 'f'"):
        _serialized(lambda: Bad(task_id="t"))
