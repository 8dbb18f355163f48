"""Airflow 2 style: time and date sensors in reschedule mode, a file sensor, and
triggering another DAG with a conf."""

from __future__ import annotations

from datetime import timedelta

from airflow import DAG
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sensors.date_time import DateTimeSensor
from airflow.sensors.filesystem import FileSensor
from airflow.sensors.time_delta import TimeDeltaSensor
from airflow.utils.dates import days_ago

with DAG(
    dag_id="example_sensors_trigger",
    schedule_interval="@daily",
    start_date=days_ago(2),
    catchup=False,
    max_active_runs=1,
    tags=["example", "sensors"],
) as dag:
    # The run's data interval ended before the run started, so this passes at once.
    after_interval = TimeDeltaSensor(
        task_id="after_interval", delta=timedelta(seconds=0), poke_interval=1, mode="reschedule"
    )
    after_logical_date = DateTimeSensor(
        task_id="after_logical_date", target_time="{{ data_interval_end }}", poke_interval=1, timeout=60
    )
    # The DAG file itself always exists.
    file_present = FileSensor(task_id="file_present", filepath=__file__, poke_interval=1, timeout=60)
    trigger = TriggerDagRunOperator(
        task_id="trigger_branching",
        trigger_dag_id="example_branching",
        conf={"path": "slow"},
    )

    [after_interval, after_logical_date, file_present] >> trigger
