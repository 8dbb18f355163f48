"""start_from_trigger: tasks the scheduler defers on their trigger without a worker.

``StartsInTrigger.execute`` writes a marker: it must never run (the trigger starts the task,
the worker only runs ``resume``)."""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.baseoperator import BaseOperator
from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.triggers.base import StartTriggerArgs
from e2e_markers import MARKERS


class StartsInTrigger(BaseOperator):
    start_trigger_args = StartTriggerArgs(
        trigger_cls="e2e_triggers.MarkedTrigger",
        trigger_kwargs={"name": "starts"},
        next_method="resume",
        next_kwargs={"started": "in the trigger"},
        timeout=timedelta(hours=1),
    )
    start_from_trigger = True

    def execute(self, context):
        (MARKERS / "execute_ran").touch()

    def resume(self, context, started, event=None):
        return {"started": started, "event": event, "try_number": context["ti"].try_number}


with DAG("e2e_start_from_trigger", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
    StartsInTrigger(task_id="starts")
    DateTimeSensorAsync(task_id="date", target_time=datetime(2024, 1, 1), start_from_trigger=True)
