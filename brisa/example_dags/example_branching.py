"""Airflow 2 style: branching, a short circuit, sensors, task groups, params and labels."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.param import Param
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator
from airflow.sensors.python import PythonSensor
from airflow.utils.edgemodifier import Label
from airflow.utils.task_group import TaskGroup
from airflow.utils.trigger_rule import TriggerRule


def choose(**context):
    """Follow the branch named by the ``path`` param."""
    return "fast_path" if context["params"]["path"] == "fast" else "slow_path.prepare"


def always_ready():
    return True


def announce(path, **context):
    print(f"took the {path} path on {context['ds']}")


with DAG(
    dag_id="example_branching",
    schedule_interval=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"owner": "brisa", "retries": 1, "retry_delay": timedelta(seconds=5)},
    params={"path": Param("fast", enum=["fast", "slow"]), "proceed": Param(True, type="boolean")},
    tags=["example", "branching"],
    doc_md=__doc__,
) as dag:
    ready = PythonSensor(
        task_id="wait_until_ready", python_callable=always_ready, poke_interval=1, timeout=30
    )
    branch = BranchPythonOperator(task_id="choose_path", python_callable=choose)
    fast = PythonOperator(task_id="fast_path", python_callable=announce, op_args=["fast"])

    with TaskGroup("slow_path", tooltip="The long way round") as slow:
        prepare = BashOperator(task_id="prepare", bash_command="echo preparing for {{ ds }}")
        work = PythonOperator(task_id="work", python_callable=announce, op_args=["slow"])
        prepare >> work

    join = EmptyOperator(task_id="join", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    gate = ShortCircuitOperator(task_id="proceed", python_callable=lambda **ctx: ctx["params"]["proceed"])
    done = BashOperator(task_id="done", bash_command="echo done")

    ready >> branch
    branch >> Label("fast") >> fast >> join
    branch >> Label("slow") >> slow >> join
    join >> gate >> done
