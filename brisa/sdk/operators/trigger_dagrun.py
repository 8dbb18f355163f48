"""``TriggerDagRunOperator``: create a run of another DAG, optionally wait for it."""

from __future__ import annotations

import datetime
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from brisa import errors
from brisa.runtime import current_runtime
from brisa.sdk import timezone
from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.exceptions import AirflowException, AirflowSkipException
from brisa.sdk.triggers.external_task import DagStateTrigger

log = logging.getLogger("airflow.task.operators")

XCOM_RUN_ID = "trigger_run_id"
XCOM_LOGICAL_DATE_ISO = "trigger_logical_date_iso"
XCOM_EXECUTION_DATE_ISO = "trigger_execution_date_iso"


class DagRunOrder:
    """Airflow 1.10's object handed to the trigger's ``python_callable``."""

    def __init__(self, run_id: str | None = None, payload: Any = None) -> None:
        self.run_id = run_id
        self.payload = payload


class TriggerDagRunOperator(BaseOperator):
    """Trigger ``trigger_dag_id`` with ``conf``; with ``wait_for_completion`` poll its
    state every ``poke_interval`` seconds until it is in ``allowed_states`` (success)
    or ``failed_states`` (failure)."""

    template_fields = ("trigger_dag_id", "trigger_run_id", "logical_date", "conf")
    template_fields_renderers = {"conf": "py"}
    ui_color = "#ffefeb"
    extra_fields = ("wait_for_completion", "reset_dag_run", "allowed_states", "failed_states")

    def __init__(
        self,
        *,
        trigger_dag_id: str,
        trigger_run_id: str | None = None,
        conf: dict[str, Any] | None = None,
        logical_date: str | datetime.datetime | None = None,
        execution_date: str | datetime.datetime | None = None,
        reset_dag_run: bool = False,
        wait_for_completion: bool = False,
        poke_interval: float = 60,
        allowed_states: Iterable[str] | None = None,
        failed_states: Iterable[str] | None = None,
        skip_when_already_exists: bool = False,
        fail_when_dag_is_paused: bool = False,
        deferrable: bool = False,
        python_callable: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.trigger_dag_id = trigger_dag_id
        self.trigger_run_id = trigger_run_id
        self.conf = conf
        self.logical_date = logical_date if logical_date is not None else execution_date
        self.reset_dag_run = reset_dag_run
        self.wait_for_completion = wait_for_completion
        self.poke_interval = poke_interval
        self.allowed_states = [str(s) for s in (allowed_states or ["success"])]
        self.failed_states = [str(s) for s in (failed_states or ["failed"])]
        self.skip_when_already_exists = skip_when_already_exists
        self.fail_when_dag_is_paused = fail_when_dag_is_paused
        self.deferrable = deferrable
        self.python_callable = python_callable
        if execution_date is not None:
            self.note_generation("2", "uses the execution_date argument")
        if python_callable is not None:
            self.note_generation("2", "uses the python_callable argument (Airflow 1.10)")
        try:
            json.dumps(self.conf)
        except TypeError:
            raise AirflowException("conf parameter should be JSON Serializable") from None

    def _logical_date(self) -> datetime.datetime:
        value = self.logical_date
        if value is None:
            return timezone.utcnow()
        if isinstance(value, datetime.datetime):
            return timezone.coerce_datetime(value)  # type: ignore[return-value]
        return timezone.parse(str(value))

    def execute(self, context: dict[str, Any]) -> None:
        logical_date = self._logical_date()
        run_id = self.trigger_run_id or f"manual__{logical_date.isoformat()}"
        conf = self.conf
        if self.python_callable is not None:
            order = self.python_callable(context, DagRunOrder(run_id=run_id))
            if order is None:
                log.info("The python_callable returned None: not triggering %s", self.trigger_dag_id)
                return
            run_id, conf = order.run_id or run_id, order.payload
        runtime = current_runtime()
        try:
            run_id = runtime.trigger_dag(
                dag_id=self.trigger_dag_id,
                run_id=run_id,
                conf=conf,
                logical_date=logical_date.isoformat(),
                reset_dag_run=self.reset_dag_run,
            )
        except errors.ConflictError as err:
            if self.skip_when_already_exists:
                raise AirflowSkipException(
                    f"DAG run {run_id} of {self.trigger_dag_id} already exists: skipping"
                ) from err
            raise AirflowException(
                f"A DAG run {run_id} of {self.trigger_dag_id} already exists: {err}"
            ) from err
        except errors.NotFoundError as err:
            raise AirflowException(f"Dag id {self.trigger_dag_id} not found: {err}") from err
        ti = context["ti"]
        ti.xcom_push(key=XCOM_RUN_ID, value=run_id)
        ti.xcom_push(key=XCOM_LOGICAL_DATE_ISO, value=logical_date.isoformat())
        if self.wait_for_completion and self.deferrable:
            # Wait in the triggerer, holding no worker (Airflow's DagStateTrigger).
            trigger = DagStateTrigger(
                dag_id=self.trigger_dag_id,
                states=[*self.allowed_states, *self.failed_states],
                run_ids=[run_id],
                poll_interval=float(self.poke_interval),
            )
            self.defer(trigger=trigger, method_name="execute_complete")
        if self.wait_for_completion:
            self._wait(run_id)

    def execute_complete(self, context: dict[str, Any], event: Any = None) -> None:
        """The triggered runs' states, as the deferred operator gets them back."""
        _, data = event
        failed = [run_id for run_id in data["run_ids"] if data.get(run_id) in self.failed_states]
        if failed:
            raise AirflowException(
                f"{self.trigger_dag_id} failed with failed states {self.failed_states} for run_ids {failed}"
            )
        log.info("%s finished with allowed state for run_ids %s", self.trigger_dag_id, data["run_ids"])

    def _wait(self, run_id: str) -> None:
        runtime = current_runtime()
        while True:
            log.info(
                "Waiting for %s on %s to become allowed state %s ...",
                self.trigger_dag_id,
                run_id,
                self.allowed_states,
            )
            time.sleep(self.poke_interval)
            state = runtime.get_run_state(dag_id=self.trigger_dag_id, run_id=run_id)
            if state in self.failed_states:
                raise AirflowException(f"{self.trigger_dag_id} failed with failed states {state}")
            if state in self.allowed_states:
                log.info("%s finished with allowed state %s", self.trigger_dag_id, state)
                return


__all__ = ["XCOM_LOGICAL_DATE_ISO", "XCOM_RUN_ID", "DagRunOrder", "TriggerDagRunOperator"]
