"""Triggers of the deferrable end-to-end DAGs (listed in .airflowignore: not a DAG file).

``MarkedTrigger`` waits for a file in the markers folder and appends one line per run
of itself (``run <name> <trigger id> <pid>``) to ``markers/trigger_runs``, so a test can tell
that no trigger ran twice and which process ran it.
"""

import asyncio
import os

from airflow.exceptions import AirflowException
from airflow.models.baseoperator import BaseOperator
from airflow.triggers.base import BaseTrigger, TriggerEvent
from e2e_markers import MARKERS


class MarkedTrigger(BaseTrigger):
    def __init__(self, name, fail=False):
        super().__init__()
        self.name = name
        self.fail = fail

    def serialize(self):
        return "e2e_triggers.MarkedTrigger", {"name": self.name, "fail": self.fail}

    async def run(self):
        with open(MARKERS / "trigger_runs", "a") as handle:
            handle.write(f"run {self.name} {self.trigger_id} {os.getpid()}\n")
        if self.fail:
            raise ValueError(f"trigger {self.name} broke")
        while not (MARKERS / f"fire__{self.name}").exists():
            await asyncio.sleep(0.1)
        yield TriggerEvent({"name": self.name, "pid": os.getpid()})


class WaitThenReturn(BaseOperator):
    """Defers on ``trigger``; the resumed try returns what it was handed."""

    def __init__(self, *, name, fail=False, timeout=None, **kwargs):
        super().__init__(**kwargs)
        self.name = name
        self.fail = fail
        self.wait_timeout = timeout

    def execute(self, context):
        self.defer(
            trigger=MarkedTrigger(self.name, fail=self.fail),
            method_name="resume",
            kwargs={"started_try": context["ti"].try_number},
            timeout=self.wait_timeout,
        )

    def resume(self, context, started_try, event=None):
        if event["name"] != self.name:
            raise AirflowException(f"wrong event {event!r}")
        return {"event": event, "started_try": started_try, "resumed_try": context["ti"].try_number}
