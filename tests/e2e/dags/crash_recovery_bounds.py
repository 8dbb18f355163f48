"""Tries a restarted scheduler must end rather than adopt for good: one past its
execution_timeout that ignores the timeout and SIGTERM, and two cleared by a user (one
while no scheduler ran, one once adopted). Each second try says whether the first try's
process still ran when it started."""

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.operators.python import PythonOperator
from e2e_markers import MARKERS, marked


def first_try_still_running(context):
    pid_file = MARKERS / f"release__pid_of_{context['ti'].task_id}"
    pid = int(pid_file.read_text())
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
    return "gone" if state == "Z" else "still running"


def stuck_on_first_try(context):
    if context["ti"].try_number > 1:
        return first_try_still_running(context)
    (MARKERS / f"release__pid_of_{context['ti'].task_id}").write_text(str(os.getpid()))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            time.sleep(120)
        except BaseException as err:  # AirflowTaskTimeout, AirflowTaskTerminated
            print(f"ignoring {type(err).__name__}", flush=True)
    return "never"


with DAG(
    "e2e_crash_recovery_bounds",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    default_args={"retries": 1, "retry_delay": timedelta(seconds=0.5)},
):
    PythonOperator(
        task_id="past_its_timeout",
        python_callable=marked(stuck_on_first_try),
        execution_timeout=timedelta(seconds=2),
    )
    PythonOperator(task_id="cleared_unsupervised", python_callable=marked(stuck_on_first_try))
    PythonOperator(task_id="cleared_adopted", python_callable=marked(stuck_on_first_try))
