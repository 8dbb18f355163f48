from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest

from brisa.runtime import use_runtime
from brisa.sdk import timezone as tz
from brisa.sdk.dag import DAG
from brisa.sdk.exceptions import (
    AirflowException,
    AirflowRescheduleException,
    AirflowSensorTimeout,
    AirflowSkipException,
)
from brisa.sdk.sensors.base import BaseSensorOperator, PokeReturnValue, poke_mode_only
from brisa.sdk.sensors.bash import BashSensor
from brisa.sdk.sensors.date_time import DateTimeSensor
from brisa.sdk.sensors.external_task import ExternalTaskMarker, ExternalTaskSensor
from brisa.sdk.sensors.filesystem import FileSensor
from brisa.sdk.sensors.python import PythonSensor
from brisa.sdk.sensors.time import TimeSensor
from brisa.sdk.sensors.time_delta import TimeDeltaSensor
from brisa.sdk.sensors.weekday import DayOfWeekSensor
from brisa.states import TaskState

from .fakes import MemoryRuntime, make_context, run_task

START = datetime(2024, 1, 1)
LOGICAL = datetime(2024, 3, 4, tzinfo=UTC)


class CountingSensor(BaseSensorOperator):
    def __init__(self, *, answers, **kwargs):
        super().__init__(**kwargs)
        self.answers = list(answers)
        self.pokes = 0

    def poke(self, context):
        self.pokes += 1
        return self.answers.pop(0) if self.answers else False


def sensor(**kwargs):
    op = CountingSensor(task_id="s", **kwargs)
    op._sleep = lambda seconds: op.slept.append(seconds)
    op.slept = []
    return op


def test_poke_mode_loops_until_true_and_returns_the_xcom():
    op = sensor(answers=[False, False, PokeReturnValue(True, "value")], poke_interval=7)
    assert op.execute({}) == "value"
    assert op.pokes == 3 and op.slept == [7, 7]


def test_poke_mode_times_out():
    op = sensor(answers=[], poke_interval=0, timeout=0)
    with pytest.raises(
        AirflowSensorTimeout,
        match=r"Sensor has timed out; run duration of .* exceeds the specified timeout of 0",
    ):
        op.execute({})


def test_soft_fail_skips_on_timeout():
    op = sensor(answers=[], poke_interval=0, timeout=0, soft_fail=True)
    with pytest.raises(AirflowSkipException, match="timed out"):
        op.execute({})


def test_reschedule_mode_raises_with_the_next_poke_date():
    op = sensor(answers=[False], poke_interval=30, mode="reschedule")
    before = tz.utcnow()
    with pytest.raises(AirflowRescheduleException) as info:
        op.execute({})
    assert before + timedelta(seconds=29) < info.value.reschedule_date < tz.utcnow() + timedelta(seconds=31)
    assert op.slept == []


def test_reschedule_timeout_counts_from_the_first_try():
    class TI:
        sensor_start_date = tz.utcnow() - timedelta(hours=2)

    op = sensor(answers=[], mode="reschedule", timeout=3600, poke_interval=60)
    with pytest.raises(AirflowSensorTimeout):
        op.execute({"ti": TI()})
    fresh = sensor(answers=[], mode="reschedule", timeout=3600, poke_interval=60)
    with pytest.raises(AirflowRescheduleException):
        fresh.execute({"ti": type("TI", (), {"sensor_start_date": None})()})


def test_exponential_backoff_is_capped():
    op = sensor(
        answers=[], poke_interval=2, exponential_backoff=True, max_wait=timedelta(seconds=5), timeout=100
    )
    assert [op.next_poke_interval(0, n) for n in (1, 2, 3, 4)] == [2, 4, 5, 5]
    assert op.next_poke_interval(99, 1) == 1
    assert sensor(answers=[], poke_interval=3).next_poke_interval(0, 5) == 3


def test_poke_errors_propagate_unless_silent():
    class Failing(BaseSensorOperator):
        def poke(self, context):
            raise RuntimeError("broken")

    with pytest.raises(RuntimeError, match="broken"):
        Failing(task_id="f", timeout=0).execute({})
    quiet = Failing(task_id="q", timeout=0, silent_fail=True)
    with pytest.raises(AirflowSensorTimeout):
        quiet.execute({})
    never = Failing(task_id="n", never_fail=True)
    with pytest.raises(AirflowSkipException):
        never.execute({})


def test_sensor_argument_validation():
    with pytest.raises(AirflowException, match="The mode must be one of"):
        CountingSensor(task_id="s", answers=[], mode="smart")
    with pytest.raises(AirflowException, match="poke_interval must be a non-negative"):
        CountingSensor(task_id="s", answers=[], poke_interval=-1)
    with pytest.raises(ValueError, match="mutually exclusive"):
        CountingSensor(task_id="s", answers=[], soft_fail=True, never_fail=True)
    op = CountingSensor(
        task_id="s", answers=[], poke_interval=timedelta(minutes=1), timeout=timedelta(hours=1)
    )
    assert (op.poke_interval, op.timeout) == (60.0, 3600.0)


def test_poke_mode_only():
    @poke_mode_only
    class OnlyPoke(CountingSensor):
        pass

    OnlyPoke(task_id="ok", answers=[])
    with pytest.raises(ValueError, match="Only 'poke' is acceptable"):
        OnlyPoke(task_id="bad", answers=[], mode="reschedule")


def test_python_sensor_with_context():
    calls = []

    def check(threshold, ti=None):
        calls.append(ti.task_id)
        return len(calls) >= threshold

    with DAG("d", schedule=None, start_date=START) as dag:
        PythonSensor(task_id="py", python_callable=check, op_args=[2], poke_interval=0)
    assert run_task(dag, "py", MemoryRuntime()) is None
    assert calls == ["py", "py"]


def test_time_delta_sensor_takes_deferrable_and_pokes_instead():
    # Airflow 3's standard provider lets TimeDeltaSensor defer; with no triggerer it pokes.
    with DAG("d", schedule=None, start_date=START) as dag:
        TimeDeltaSensor(task_id="wait", delta=timedelta(seconds=1), deferrable=True, end_from_trigger=True)
    sensor = dag.get_task("wait")
    assert sensor.deferrable and sensor.end_from_trigger
    assert (
        run_task(dag, "wait", MemoryRuntime(), logical_date=LOGICAL, data_interval=(LOGICAL, LOGICAL)) is None
    )


def test_time_sensors():
    now = tz.utcnow()
    with DAG("d", schedule=None, start_date=START) as dag:
        TimeDeltaSensor(task_id="delta", delta=timedelta(hours=1), timeout=0, poke_interval=0)
        DateTimeSensor(task_id="past", target_time="{{ logical_date }}", timeout=0)
        DateTimeSensor(task_id="future", target_time=now + timedelta(days=1), timeout=0, poke_interval=0)
        TimeSensor(task_id="midnight", target_time=time(0, 0), timeout=0)
    assert (
        run_task(dag, "delta", MemoryRuntime(), logical_date=LOGICAL, data_interval=(LOGICAL, LOGICAL))
        is None
    )
    recent = now - timedelta(minutes=5)
    with pytest.raises(AirflowSensorTimeout):
        run_task(dag, "delta", MemoryRuntime(), logical_date=recent, data_interval=(recent, recent))
    assert run_task(dag, "past", MemoryRuntime(), logical_date=LOGICAL) is None
    with pytest.raises(AirflowSensorTimeout):
        run_task(dag, "future", MemoryRuntime())
    if now.time() > time(0, 1):
        assert run_task(dag, "midnight", MemoryRuntime()) is None
    with pytest.raises(TypeError, match=r"Expected str or datetime.datetime"):
        DateTimeSensor(task_id="x", target_time=5)


def test_file_sensor_globs_and_uses_the_connection_path(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "data.csv").write_text("x")
    (tmp_path / "empty").mkdir()
    with DAG("d", schedule=None, start_date=START) as dag:
        FileSensor(task_id="glob", filepath=str(tmp_path / "sub" / "*.csv"), timeout=0)
        FileSensor(task_id="dir", filepath=str(tmp_path / "sub"), timeout=0)
        FileSensor(task_id="empty", filepath=str(tmp_path / "empty"), timeout=0)
        FileSensor(task_id="recursive", filepath=str(tmp_path / "**" / "data.csv"), recursive=True, timeout=0)
        FileSensor(task_id="relative", filepath="sub/data.csv", fs_conn_id="fs_data", timeout=0)
    for task_id in ("glob", "dir", "recursive"):
        assert run_task(dag, task_id, MemoryRuntime()) is None
    with pytest.raises(AirflowSensorTimeout):
        run_task(dag, "empty", MemoryRuntime())
    runtime = MemoryRuntime()
    runtime.connections["fs_data"] = {"conn_type": "fs", "extra": json.dumps({"path": str(tmp_path)})}
    assert run_task(dag, "relative", runtime) is None


def test_external_task_sensor_counts_states_for_the_dates():
    with DAG("d", schedule=None, start_date=START) as dag:
        ExternalTaskSensor(
            task_id="ext",
            external_dag_id="other",
            external_task_id="t",
            execution_delta=timedelta(hours=1),
            timeout=0,
        )
        ExternalTaskSensor(
            task_id="runs",
            external_dag_id="other",
            execution_date_fn=lambda dt: [dt, dt - timedelta(days=1)],
            timeout=0,
        )
        ExternalTaskSensor(
            task_id="fails",
            external_dag_id="other",
            external_task_ids=["a", "b"],
            failed_states=["failed"],
            timeout=0,
        )
        ExternalTaskSensor(
            task_id="soft", external_dag_id="other", failed_states=["failed"], soft_fail=True, timeout=0
        )
        ExternalTaskSensor(
            task_id="skips",
            external_dag_id="other",
            external_task_id="t",
            skipped_states=["skipped"],
            timeout=0,
        )
    runtime = MemoryRuntime()
    runtime.state_counts[("other", ("success",))] = 1
    assert run_task(dag, "ext", runtime, logical_date=LOGICAL) is None
    assert runtime.count_calls[-1] == {
        "dag_id": "other",
        "logical_dates": ["2024-03-03T23:00:00+00:00"],
        "task_ids": ["t"],
        "states": ["success"],
    }
    with pytest.raises(AirflowSensorTimeout):
        run_task(dag, "runs", runtime, logical_date=LOGICAL)
    assert runtime.count_calls[-1]["task_ids"] is None
    assert runtime.count_calls[-1]["logical_dates"] == [
        "2024-03-04T00:00:00+00:00",
        "2024-03-03T00:00:00+00:00",
    ]
    runtime.state_counts[("other", ("failed",))] = 1
    with pytest.raises(
        AirflowException, match=r"Some of the external tasks \['a', 'b'\] in DAG other failed."
    ):
        run_task(dag, "fails", runtime, logical_date=LOGICAL)
    with pytest.raises(AirflowSkipException, match="Skipping due to soft_fail"):
        run_task(dag, "soft", runtime, logical_date=LOGICAL)
    runtime.state_counts[("other", ("skipped",))] = 1
    with pytest.raises(AirflowSkipException, match="states-to-skip-on"):
        run_task(dag, "skips", runtime, logical_date=LOGICAL)


def test_external_task_sensor_validation():
    with pytest.raises(ValueError, match="Only one of `external_task_id` or `external_task_ids`"):
        ExternalTaskSensor(task_id="e", external_dag_id="o", external_task_id="a", external_task_ids=["b"])
    with pytest.raises(ValueError, match="Only one of `execution_delta` or `execution_date_fn`"):
        ExternalTaskSensor(
            task_id="e", external_dag_id="o", execution_delta=timedelta(1), execution_date_fn=lambda d: d
        )
    with pytest.raises(AirflowException, match="Duplicate values"):
        ExternalTaskSensor(
            task_id="e", external_dag_id="o", allowed_states=["success"], failed_states=["success"]
        )
    with pytest.raises(ValueError, match="can't be set at the same time"):
        ExternalTaskSensor(task_id="e", external_dag_id="o", external_task_group_id="g", external_task_id="t")
    marker = ExternalTaskMarker(task_id="m", external_dag_id="o", external_task_id="t")
    assert marker.logical_date == "{{ logical_date.isoformat() }}" and marker.execute({}) is None


def test_external_task_group_sensor_waits_for_every_instance_of_the_group_as_airflow_2_10():
    # Airflow 2.10's ExternalTaskSensor(external_task_group_id=...): all the group's task
    # instances in allowed_states; a group the DAG lacks keeps waiting, or fails with
    # check_existence.
    with DAG("d", schedule=None, start_date=START) as dag:
        ExternalTaskSensor(task_id="group", external_dag_id="other", external_task_group_id="g", timeout=0)
        ExternalTaskSensor(
            task_id="failing", external_dag_id="other", external_task_group_id="g", failed_states=["failed"]
        )
        ExternalTaskSensor(task_id="absent", external_dag_id="other", external_task_group_id="nope")
        ExternalTaskSensor(
            task_id="exists", external_dag_id="other", external_task_group_id="nope", check_existence=True
        )
    runtime = MemoryRuntime()
    runtime.task_groups[("other", "g")] = ["g.a", "g.b"]
    live = tuple([*(s.value for s in TaskState if s is not TaskState.REMOVED), None])
    runtime.state_counts[("other", live)] = 3  # g.a and two map indexes of g.b
    context = make_context(dag.get_task("group"), runtime, logical_date=START)
    with use_runtime(runtime):
        runtime.state_counts[("other", ("success",))] = 2
        assert dag.get_task("group").poke(context) is False
        runtime.state_counts[("other", ("success",))] = 3
        assert dag.get_task("group").poke(context) is True
        assert runtime.count_calls[-1]["task_ids"] == ["g.a", "g.b"]
        runtime.state_counts[("other", ("failed",))] = 1
        with pytest.raises(AirflowException, match="The external task_group 'g' in DAG 'other' failed"):
            dag.get_task("failing").poke(context)
        assert dag.get_task("absent").poke(context) is False
        with pytest.raises(AirflowException, match="task group 'nope' in DAG 'other' does not exist"):
            dag.get_task("exists").poke(context)


def test_day_of_week_and_bash_sensors():
    with DAG("d", schedule=None, start_date=START) as dag:
        DayOfWeekSensor(task_id="monday", week_day="monday", use_task_logical_date=True, timeout=0)
        BashSensor(task_id="ok", bash_command="test 1 -eq 1", timeout=0)
        BashSensor(task_id="never", bash_command="exit 1", timeout=0)
        BashSensor(task_id="hard", bash_command="exit 2", retry_exit_code=1, timeout=0)
    assert run_task(dag, "monday", MemoryRuntime(), logical_date=LOGICAL) is None
    with pytest.raises(AirflowSensorTimeout):
        run_task(dag, "monday", MemoryRuntime(), logical_date=LOGICAL + timedelta(days=1))
    assert run_task(dag, "ok", MemoryRuntime()) is None
    with pytest.raises(AirflowSensorTimeout):
        run_task(dag, "never", MemoryRuntime())
    with pytest.raises(AirflowException, match="return code 2"):
        run_task(dag, "hard", MemoryRuntime())
