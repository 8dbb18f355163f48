"""Task processes that die badly: a segfault, os._exit(3), a hang past execution_timeout,
and a hang that swallows the timeout and SIGTERM too (the supervisor must kill it)."""

import ctypes
import os
import time
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.utils.trigger_rule import TriggerRule
from e2e_markers import marked


def segfault(context):
    ctypes.string_at(0)


def exit_three(context):
    print("leaving with os._exit(3)", flush=True)
    os._exit(3)


def hang(context):
    time.sleep(600)


def hang_stubbornly(context):
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            time.sleep(600)
        except BaseException as err:
            print(f"ignoring {type(err).__name__}", flush=True)


with DAG("e2e_crashes", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 0}):
    crashing = [
        PythonOperator(
            task_id="segfault",
            python_callable=marked(segfault),
            retries=1,
            retry_delay=timedelta(seconds=0.2),
        ),
        PythonOperator(task_id="exit_three", python_callable=marked(exit_three)),
        PythonOperator(task_id="hang", python_callable=marked(hang), execution_timeout=timedelta(seconds=1)),
        PythonOperator(
            task_id="hang_stubbornly",
            python_callable=marked(hang_stubbornly),
            execution_timeout=timedelta(seconds=1),
        ),
    ]
    crashing >> PythonOperator(
        task_id="after", python_callable=marked(lambda context: "ran"), trigger_rule=TriggerRule.ALL_DONE
    )
