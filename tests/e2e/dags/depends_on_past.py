"""depends_on_past over four daily runs caught up at once, and over three runs where the
middle one fails (the third then waits for good, as in Airflow)."""

import time
from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from e2e_markers import marked, sleep_then


def fail_on_second_day(context):
    time.sleep(0.2)
    if context["ds"] == "2024-01-02":
        raise RuntimeError("the second day fails on purpose")


for dag_id, end, body in (
    ("e2e_depends_on_past", datetime(2024, 1, 4), sleep_then(0.3)),
    ("e2e_depends_on_past_fail", datetime(2024, 1, 3), fail_on_second_day),
):
    with DAG(
        dag_id,
        schedule="@daily",
        start_date=datetime(2024, 1, 1),
        end_date=end,
        catchup=True,
        default_args={"retries": 0},
    ) as dag:
        PythonOperator(task_id="step", python_callable=marked(body), depends_on_past=True)
        PythonOperator(task_id="free", python_callable=marked(sleep_then(0.3)))
    globals()[dag_id] = dag
