"""Tries that are running when the scheduler is killed or stopped: the first try of each
``long`` task would take a minute (``stubborn`` ignores SIGTERM too), later tries a moment."""

import signal
import time
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from e2e_markers import marked, sleep_then


def first_try_slow(try_number):
    return 60 if try_number == 1 else 0.2


def ignore_sigterm_first(context):
    if context["ti"].try_number == 1:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(60)


with DAG(
    "e2e_interrupt",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    default_args={"retries": 2, "retry_delay": timedelta(seconds=1)},
):
    first = PythonOperator(task_id="first", python_callable=marked(sleep_then(0.2)))
    long_a = PythonOperator(task_id="long_a", python_callable=marked(sleep_then(first_try_slow)))
    long_b = PythonOperator(task_id="long_b", python_callable=marked(sleep_then(first_try_slow)))
    stubborn = PythonOperator(task_id="stubborn", python_callable=marked(ignore_sigterm_first))
    short = PythonOperator(task_id="short", python_callable=marked(sleep_then(1.5)))
    last = PythonOperator(task_id="last", python_callable=marked(sleep_then(0.2)))
    first >> [long_a, long_b, stubborn, short] >> last
