"""A 1.10-style DAG file with a sub-DAG factory (issue 15: SubDagOperator)."""

from datetime import datetime

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.subdag_operator import SubDagOperator

DEFAULT_ARGS = {"owner": "airflow", "start_date": datetime(2024, 1, 1)}


def section(parent_dag_id, child_task_id, args, fail=False):
    # A schedule of its own, with catchup: a sub-DAG must still never be scheduled.
    sub = DAG(f"{parent_dag_id}.{child_task_id}", default_args=args, schedule_interval="@daily", catchup=True)
    echo = BashOperator(task_id="echo", bash_command="echo {{ dag_run.conf.get('colour', 'none') }}", dag=sub)
    last = BashOperator(task_id="last", bash_command="exit 3" if fail else "echo done", dag=sub)
    echo >> last
    return sub


dag = DAG("e2e_subdag_1_10", default_args=DEFAULT_ARGS, schedule_interval=None)
start = BashOperator(task_id="start", bash_command="echo start", dag=dag)
inner = SubDagOperator(
    task_id="inner", subdag=section("e2e_subdag_1_10", "inner", DEFAULT_ARGS), poke_interval=1, dag=dag
)
end = BashOperator(task_id="end", bash_command="echo end", dag=dag)
start >> inner >> end

failing = DAG("e2e_subdag_1_10_failing", default_args=DEFAULT_ARGS, schedule_interval=None)
SubDagOperator(
    task_id="inner",
    subdag=section("e2e_subdag_1_10_failing", "inner", DEFAULT_ARGS, fail=True),
    poke_interval=1,
    dag=failing,
)
