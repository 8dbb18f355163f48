"""Six tasks deferred on triggers that fire when the test creates their files."""

from datetime import datetime

from airflow import DAG
from e2e_triggers import WaitThenReturn

with DAG("e2e_deferrable_many", schedule=None, start_date=datetime(2024, 1, 1)):
    for i in range(6):
        WaitThenReturn(task_id=f"many_{i}", name=f"many_{i}")
