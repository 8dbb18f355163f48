"""Four tasks in a pool of one slot (the test creates the pool): they run one at a time."""

from datetime import datetime

from airflow import DAG
from airflow.operators.python import PythonOperator
from e2e_markers import marked, sleep_then

with DAG("e2e_pool", schedule=None, start_date=datetime(2024, 1, 1), max_active_tasks=16):
    for i in range(4):
        PythonOperator(task_id=f"t{i}", python_callable=marked(sleep_then(0.3)), pool="e2e_single")
