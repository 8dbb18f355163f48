"""Reads the run's task instances where Airflow DAGs do: a task, a task's failure callback
and the DAG's failure callback. Each writes what it saw to ``markers/<what>.json``."""

import json
from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

MARKERS = Path(__file__).resolve().parent.parent / "markers"


def _write(name, value):
    MARKERS.mkdir(exist_ok=True)
    (MARKERS / f"{name}.json").write_text(json.dumps(value))


def _states(tis):
    return sorted([ti.task_id, ti.state] for ti in tis)


def task_failed(context):
    dag_run = context["dag_run"]
    _write("task_callback", _states(dag_run.get_task_instances(state="failed")))


def dag_failed(context):
    dag_run = context["dag_run"]
    failed = dag_run.get_task_instances(state="failed")
    _write(
        "dag_callback",
        {
            "failed": [(ti.task_id, ti.state) for ti in failed],
            "not_run": _states(dag_run.get_task_instances(state=["upstream_failed", None])),
            "all": _states(dag_run.get_task_instances()),
            "log_urls": [ti.log_url for ti in failed],
            "reason": context["reason"],
        },
    )


def inspect(**context):
    extract = context["dag_run"].get_task_instance("extract")
    seen = {
        "extract": [extract.state, extract.try_number, extract.end_date is not None],
        "all": _states(context["dag_run"].get_task_instances()),
        "missing": context["dag_run"].get_task_instance("nope"),
    }
    _write("inspect", seen)
    return extract.state


with DAG(
    "e2e_run_task_instances",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    on_failure_callback=dag_failed,
) as dag:
    extract = BashOperator(task_id="extract", bash_command="exit 1", on_failure_callback=task_failed)
    extract >> PythonOperator(task_id="inspect", python_callable=inspect, trigger_rule="all_done")
    extract >> BashOperator(task_id="load", bash_command="true")
