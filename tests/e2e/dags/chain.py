"""Eight short tasks, two at a time, while the database restarts."""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from e2e_markers import marked, sleep_then

with DAG(
    "e2e_chain",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    default_args={"retries": 2, "retry_delay": timedelta(seconds=1)},
):
    previous = None
    for i in range(4):
        pair = [
            PythonOperator(task_id=f"step{i}_{side}", python_callable=marked(sleep_then(1.0)))
            for side in ("a", "b")
        ]
        if previous is not None:
            previous >> pair[0]
            previous >> pair[1]
        previous = pair[0]
