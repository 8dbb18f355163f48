"""Tries running when the scheduler's whole process group is killed: each waits for a
release file the test creates (``early`` while no scheduler runs, ``late`` once a new one
has adopted them), so the test decides which ends when."""

import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from e2e_markers import MARKERS, bash_marked, marked


def wait_for(name):
    deadline = time.monotonic() + 120
    while not (MARKERS / f"release__{name}").exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"nobody released {name}")
        time.sleep(0.05)


def held(name, fail_first_try=False):
    def body(context):
        print(f"waiting for {name}", flush=True)
        wait_for(name)
        print(f"released by {name}", flush=True)
        if fail_first_try and context["ti"].try_number == 1:
            raise RuntimeError("the first try fails")
        return {"released_by": name, "try": context["ti"].try_number}

    body.__name__ = f"held_{name}"
    return body


def leave_a_child(context):
    """Try 1 starts a process in a session of its own, then waits (the test kills it);
    try 2 says whether that process still ran when it started."""
    pid_file = MARKERS / f"release__child_of_{context['run_id']}"
    if context["ti"].try_number == 1:
        child = subprocess.Popen(["sleep", "300"], start_new_session=True)
        pid_file.write_text(str(child.pid))
        wait_for("never")
    pid = int(pid_file.read_text())
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        state = "gone"
    return "gone" if state in ("gone", "Z") else "still running"


with DAG(
    "e2e_crash_recovery",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    default_args={"retries": 1, "retry_delay": timedelta(seconds=1)},
):
    PythonOperator(task_id="ends_unsupervised", python_callable=marked(held("early")))
    PythonOperator(task_id="fails_unsupervised", python_callable=marked(held("early", fail_first_try=True)))
    PythonOperator(task_id="adopted", python_callable=marked(held("late")))
    BashOperator(
        task_id="adopted_bash",
        bash_command=bash_marked(
            f"echo waiting; while [ ! -e {MARKERS}/release__late ]; do sleep 0.05; done; "
            "echo released by late"
        ),
    )
    PythonOperator(task_id="killed_unsupervised", python_callable=marked(leave_a_child))
