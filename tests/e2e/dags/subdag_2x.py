"""An Airflow 2.x DAG file with a sub-DAG factory, in reschedule mode (issue 15: SubDagOperator)."""

from datetime import timedelta
from pathlib import Path

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.operators.subdag import SubDagOperator

START = pendulum.datetime(2024, 1, 1, tz="UTC")


def section(parent_dag_id, child_task_id, fail=False):
    with DAG(f"{parent_dag_id}.{child_task_id}", start_date=START, schedule="@daily", catchup=True) as sub:
        echo = BashOperator(task_id="echo", bash_command="echo {{ dag_run.conf.get('colour', 'none') }}")
        echo >> BashOperator(task_id="last", bash_command="exit 3" if fail else "echo done")
    return sub


with DAG("e2e_subdag_2x", start_date=START, schedule=None) as dag:
    inner = SubDagOperator(
        task_id="inner", subdag=section("e2e_subdag_2x", "inner"), mode="reschedule", poke_interval=1
    )
    inner >> EmptyOperator(task_id="end")

with DAG("e2e_subdag_2x_failing", start_date=START, schedule=None) as failing:
    SubDagOperator(
        task_id="inner",
        subdag=section("e2e_subdag_2x_failing", "inner", fail=True),
        mode="reschedule",
        poke_interval=1,
    )


FLAG = Path(__file__).resolve().parent.parent / "markers" / "subdag_retry_flag"

with DAG("e2e_subdag_2x_retried", start_date=START, schedule=None) as retried:
    # The child fails at the operator's first try and succeeds at its retry, which must
    # run the child's failed task again (Airflow 2 clears the failed and upstream_failed
    # tasks of the child run), not read the failed run again nor re-run its successful task.
    with DAG("e2e_subdag_2x_retried.inner", start_date=START, schedule=None) as flaky:
        first = BashOperator(task_id="first", bash_command="echo first")
        first >> BashOperator(task_id="flaky", bash_command=f"test -e {FLAG} || {{ touch {FLAG}; exit 1; }}")
    SubDagOperator(
        task_id="inner",
        subdag=flaky,
        mode="reschedule",
        poke_interval=1,
        retries=1,
        retry_delay=timedelta(seconds=0),
    )
