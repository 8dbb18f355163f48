"""Airflow 3.3's task state store (AIP-103): a key set by a failed try is read by its retry."""

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from airflow.sdk.execution_time.context import NEVER_EXPIRE


@dag(schedule=None, start_date=datetime(2024, 1, 1))
def e2e_task_state():
    @task(retries=2, retry_delay=timedelta(seconds=0))
    def submit(**context):
        store = context["task_state_store"]
        try_number = context["ti"].try_number
        job_id = store.get("job_id")
        if job_id is None:
            store.set("job_id", f"job-of-try-{try_number}", retention=NEVER_EXPIRE)
            store.set("scratch", "temporary", retention=timedelta(hours=1))
            raise RuntimeError("lost the worker after submitting the job")
        scratch = store.get("scratch")
        store.delete("scratch")
        return {"job_id": job_id, "try_number": try_number, "scratch": scratch}

    @task
    def per_index(value, **context):
        store = context["task_state_store"]
        seen = store.get("value", default="unset")
        store.set("value", value)
        return [seen, store.get("value")]

    submit()
    per_index.expand(value=["x", "y"])


e2e_task_state()
