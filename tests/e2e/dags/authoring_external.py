"""ExternalTaskSensor on a task group of another DAG, and an ExternalTaskMarker pointing
at that sensor: clearing the marker clears the sensor and its downstream (Airflow 2.10)."""

from datetime import datetime

from airflow import DAG
from airflow.decorators import task, task_group
from airflow.sensors.external_task import ExternalTaskMarker, ExternalTaskSensor

with DAG("e2e_group_upstream", schedule=None, start_date=datetime(2024, 1, 1)):

    @task
    def numbers():
        return [1, 2]

    @task
    def double(x):
        return 2 * x

    @task_group
    def g():
        double.expand(x=numbers())

    marker = ExternalTaskMarker(
        task_id="marker", external_dag_id="e2e_group_downstream", external_task_id="wait_for_g"
    )
    g() >> marker

with DAG("e2e_group_downstream", schedule=None, start_date=datetime(2024, 1, 1)):

    @task
    def done():
        return "after the group"

    sensor = ExternalTaskSensor(
        task_id="wait_for_g",
        external_dag_id="e2e_group_upstream",
        external_task_group_id="g",
        poke_interval=0.2,
        timeout=120,
    )
    sensor >> done()
