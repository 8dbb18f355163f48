"""A branch takes the left path; the right one and what follows it are skipped."""

from datetime import datetime

from airflow import DAG
from airflow.operators.python import BranchPythonOperator, PythonOperator
from airflow.utils.trigger_rule import TriggerRule
from e2e_markers import marked


def choose(context):
    return "left"


def work(context):
    return context["ti"].task_id


with DAG("e2e_branching", schedule=None, start_date=datetime(2024, 1, 1)):
    branch = BranchPythonOperator(task_id="branch", python_callable=marked(choose))
    left = PythonOperator(task_id="left", python_callable=marked(work))
    right = PythonOperator(task_id="right", python_callable=marked(work))
    right_after = PythonOperator(task_id="right_after", python_callable=marked(work))
    join = PythonOperator(
        task_id="join", python_callable=marked(work), trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS
    )
    branch >> [left, right]
    right >> right_after
    [left, right_after] >> join
