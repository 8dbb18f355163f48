"""Retries: a task that succeeds on its third try, one with exponential backoff that
never succeeds, and one that outlives its execution_timeout on every try."""

import time
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from e2e_markers import marked


def fail_twice(context):
    if context["ti"].try_number < 3:
        raise RuntimeError(f"failing try {context['ti'].try_number} on purpose")
    return "third time lucky"


def always_fail(context):
    raise RuntimeError("failing on purpose")


def sleep_long(context):
    time.sleep(60)


with DAG("e2e_retries", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(
        task_id="flaky",
        python_callable=marked(fail_twice),
        retries=3,
        retry_delay=timedelta(seconds=1),
    )
    PythonOperator(
        task_id="backoff",
        python_callable=marked(always_fail),
        retries=3,
        retry_delay=timedelta(seconds=1),
        retry_exponential_backoff=True,
    )
    PythonOperator(
        task_id="too_slow",
        python_callable=marked(sleep_long),
        retries=1,
        retry_delay=timedelta(seconds=0.2),
        execution_timeout=timedelta(seconds=1),
    )
