"""ExternalTaskSensor(deferrable=True) waiting in the triggerer for another DAG's task: the
child's ``work`` succeeds when the run's conf says so, fails otherwise."""

from datetime import datetime

from airflow.providers.standard.operators.python import PythonOperator
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.sdk import DAG


def work(params):
    if params["ok"] in (False, "False"):
        raise ValueError("told to fail")


with DAG("e2e_ext_child", schedule=None, start_date=datetime(2024, 1, 1), params={"ok": True}):
    PythonOperator(task_id="work", python_callable=work)

with DAG("e2e_ext_parent", schedule=None, start_date=datetime(2024, 1, 1)):
    ExternalTaskSensor(
        task_id="wait_child",
        external_dag_id="e2e_ext_child",
        external_task_id="work",
        failed_states=["failed"],
        deferrable=True,
        poke_interval=0.2,
    )

with DAG("e2e_ext_trigger_waits", schedule=None, start_date=datetime(2024, 1, 1), params={"ok": True}):
    # Waits for the child's run in the triggerer (DagStateTrigger), not in a worker.
    TriggerDagRunOperator(
        task_id="run_child",
        trigger_dag_id="e2e_ext_child",
        conf={"ok": "{{ params.ok }}"},
        wait_for_completion=True,
        deferrable=True,
        poke_interval=0.2,
    )
