"""Runs whose conf no task process can be handed (stored before the API's limits), and a
bystander whose long task must not notice them."""

import time
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from e2e_markers import marked


def read_conf(context):
    return len(str(context["dag_run"].conf))


def sleep_a_while(context):
    time.sleep(8)
    return "done"


with DAG("e2e_bad_conf", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(
        task_id="read_conf",
        python_callable=marked(read_conf),
        retries=2,
        retry_delay=timedelta(seconds=0),
    )

with DAG("e2e_bystander", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="long", python_callable=marked(sleep_a_while))
