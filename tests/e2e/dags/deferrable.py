"""Deferrable tasks: the standard sensors with deferrable=True, a custom operator that
defers and resumes with the event, end_from_trigger, timeouts and a failing trigger.

``pooled_*`` share a pool of one slot and ``held`` tasks wait on files the test creates:
they can only all be deferred at once if deferred tries hold no pool or executor slot.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.baseoperator import BaseOperator
from airflow.operators.python import PythonOperator
from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor, TimeDeltaSensorAsync
from airflow.providers.standard.triggers.temporal import TimeDeltaTrigger
from e2e_markers import MARKERS
from e2e_triggers import WaitThenReturn


class DefersOnDelta(BaseOperator):
    def execute(self, context):
        self.defer(trigger=TimeDeltaTrigger(timedelta(seconds=1)), method_name="execute_complete")

    def execute_complete(self, context, event=None):
        return event.isoformat()


with DAG("e2e_deferrable", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    TimeDeltaSensorAsync(task_id="delta_async", delta=timedelta(seconds=1))
    TimeDeltaSensor(
        task_id="delta_ends_in_trigger", delta=timedelta(seconds=1), deferrable=True, end_from_trigger=True
    )
    DateTimeSensorAsync(
        task_id="date_async",
        target_time="{{ (dag_run.start_date + macros.timedelta(seconds=1)).isoformat() }}",
    )
    DefersOnDelta(task_id="custom_delta")
    FileSensor(task_id="file", filepath=str(MARKERS / "the_file"), deferrable=True, poke_interval=0.2)
    for i in range(3):
        WaitThenReturn(task_id=f"pooled_{i}", name=f"pooled_{i}", pool="one_slot")
    WaitThenReturn(task_id="resumes", name="resumes")
    WaitThenReturn(task_id="times_out", name="never", timeout=timedelta(seconds=1))
    FileSensor(
        task_id="sensor_times_out",
        filepath=str(MARKERS / "never"),
        deferrable=True,
        poke_interval=0.2,
        timeout=1,
        retries=2,
    )
    WaitThenReturn(task_id="trigger_fails", name="broken", fail=True)
    after = PythonOperator(task_id="after_resume", python_callable=lambda ti: ti.xcom_pull("resumes"))
    dag.get_task("resumes") >> after
