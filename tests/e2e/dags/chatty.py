"""One task that prints 100 MB of log lines or more (until the test lets it stop), and a
small DAG that must run meanwhile."""

import sys
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from e2e_markers import MARKERS, bash_marked, marked

AT_LEAST = 100 * 1024 * 1024
FILLER = "x" * 1000
RELEASE = MARKERS / "release__chatty"


def print_a_lot(context):
    printed = i = 0
    while printed < AT_LEAST or not RELEASE.exists():
        line = f"line {i:07d} {FILLER}\n"
        sys.stdout.write(line)
        printed += len(line)
        i += 1
    print(f"the last line of a long log, after {printed} bytes", flush=True)


with DAG("e2e_chatty", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 0}):
    PythonOperator(task_id="print_a_lot", python_callable=marked(print_a_lot))

with DAG("e2e_quick", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 0}):
    previous = None
    for i in range(3):
        step = BashOperator(task_id=f"step{i}", bash_command=bash_marked("echo step"))
        if previous is not None:
            previous >> step
        previous = step
