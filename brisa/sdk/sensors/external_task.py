"""``ExternalTaskSensor`` (wait for tasks of another DAG) and ``ExternalTaskMarker``."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from brisa.runtime import current_runtime
from brisa.sdk import timezone
from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.exceptions import (
    AirflowException,
    AirflowSkipException,
    ExternalDagFailedError,
    ExternalTaskNotFoundError,
)
from brisa.sdk.execution import determine_kwargs
from brisa.sdk.sensors.base import BaseSensorOperator
from brisa.sdk.triggers.external_task import WorkflowTrigger
from brisa.states import TaskState

_LIVE_STATES = [state.value for state in TaskState if state is not TaskState.REMOVED]


class ExternalTaskSensor(BaseSensorOperator):
    """Wait until ``external_task_ids`` of ``external_dag_id`` (or its whole run, when no
    task is named) reach ``allowed_states`` for the matching logical date(s).

    Any of them in ``failed_states`` fails the sensor (skips it with ``soft_fail``);
    any in ``skipped_states`` skips it.
    """

    template_fields = ("external_dag_id", "external_task_id", "external_task_ids", "external_task_group_id")
    ui_color = "#4db7db"
    extra_fields = ("allowed_states", "failed_states", "skipped_states", "execution_delta")

    def __init__(
        self,
        *,
        external_dag_id: str,
        external_task_id: str | None = None,
        external_task_ids: Sequence[str] | None = None,
        external_task_group_id: str | None = None,
        allowed_states: Iterable[str] | None = None,
        skipped_states: Iterable[str] | None = None,
        failed_states: Iterable[str] | None = None,
        execution_delta: datetime.timedelta | None = None,
        execution_date_fn: Callable[..., Any] | None = None,
        logical_date_fn: Callable[..., Any] | None = None,
        check_existence: bool = False,
        poll_interval: float | None = None,
        deferrable: bool = False,
        **kwargs: Any,
    ) -> None:
        if poll_interval is not None:
            kwargs.setdefault("poke_interval", poll_interval)
        super().__init__(**kwargs)
        if external_task_group_id is not None and (
            external_task_id is not None or external_task_ids is not None
        ):
            raise ValueError(
                "Values for `external_task_group_id` and `external_task_id` or `external_task_ids` "
                "can't be set at the same time"
            )
        if external_task_id is not None and external_task_ids is not None:
            raise ValueError(
                "Only one of `external_task_id` or `external_task_ids` may be provided to "
                "ExternalTaskSensor; "
                "use external_task_id or external_task_ids or external_task_group_id."
            )
        date_fn = logical_date_fn or execution_date_fn
        if execution_delta is not None and date_fn is not None:
            raise ValueError(
                "Only one of `execution_delta` or `execution_date_fn` may be provided to "
                "ExternalTaskSensor; not both."
            )
        self.allowed_states = [str(s) for s in (allowed_states or ["success"])]
        self.skipped_states = [str(s) for s in (skipped_states or [])]
        self.failed_states = [str(s) for s in (failed_states or [])]
        all_states = [*self.allowed_states, *self.skipped_states, *self.failed_states]
        if len(all_states) != len(set(all_states)):
            raise AirflowException(
                "Duplicate values provided across allowed_states, skipped_states and failed_states."
            )
        self.external_dag_id = external_dag_id
        self.external_task_id = external_task_id
        self.external_task_ids = [external_task_id] if external_task_id is not None else external_task_ids
        self.external_task_group_id = external_task_group_id
        self.execution_delta = execution_delta
        self.execution_date_fn = date_fn
        self.check_existence = check_existence
        self.deferrable = deferrable

    def logical_dates(self, context: dict[str, Any]) -> list[datetime.datetime]:
        """The external runs' logical dates this sensor waits for."""
        logical_date = context["logical_date"]
        if self.execution_delta is not None:
            dates: Any = logical_date - self.execution_delta
        elif self.execution_date_fn is not None:
            extra = {k: v for k, v in context.items() if k not in ("execution_date", "logical_date")}
            extra["context"] = context
            dates = self.execution_date_fn(
                logical_date, **determine_kwargs(self.execution_date_fn, [logical_date], extra)
            )
        else:
            dates = logical_date
        values = dates if isinstance(dates, list | tuple) else [dates]
        return [timezone.coerce_datetime(d) for d in values]  # type: ignore[misc]

    def _count(self, dates: list[datetime.datetime], states: list[str]) -> float:
        count = self._raw_count(dates, states, self.external_task_ids)
        return count / len(self.external_task_ids) if self.external_task_ids else count

    def _raw_count(
        self, dates: list[datetime.datetime], states: Sequence[str | None], task_ids: Sequence[str] | None
    ) -> int:
        return current_runtime().count_task_states(
            dag_id=self.external_dag_id,
            logical_dates=[d.isoformat() for d in dates],
            task_ids=list(task_ids) if task_ids else None,
            states=states,
        )

    def poke(self, context: dict[str, Any]) -> bool:
        dates = self.logical_dates(context)
        if self.external_task_group_id is not None:
            return self._poke_group(self.external_task_group_id, dates)
        what = f"tasks {self.external_task_ids}" if self.external_task_ids else "DAG"
        self.log.info(
            "Poking for %s of %s on %s ...", what, self.external_dag_id, [d.isoformat() for d in dates]
        )
        if self.failed_states and self._count(dates, self.failed_states) > 0:
            self._fail()
        if self.skipped_states and self._count(dates, self.skipped_states) > 0:
            raise AirflowSkipException(
                self._where() + " reached a state in our states-to-skip-on list. Skipping."
            )
        return self._count(dates, self.allowed_states) == len(dates)

    def _poke_group(self, group: str, dates: list[datetime.datetime]) -> bool:
        """Airflow's task-group wait: every task instance of the group (mapped ones each)
        in an allowed state; any in a failed or skipped state decides at once."""
        self.log.info(
            "Poking for task_group '%s' in dag '%s' on %s ...",
            group,
            self.external_dag_id,
            [d.isoformat() for d in dates],
        )
        task_ids = current_runtime().get_task_group_task_ids(dag_id=self.external_dag_id, group_id=group)
        if task_ids is None and self.check_existence:
            raise AirflowException(
                f"The external task group '{group}' in DAG '{self.external_dag_id}' does not exist."
            )
        if not task_ids:
            self.log.info("Requested task group '%s' not found in DAG '%s'", group, self.external_dag_id)
            return False
        if self.failed_states and self._raw_count(dates, self.failed_states, task_ids):
            self._fail()
        if self.skipped_states and self._raw_count(dates, self.skipped_states, task_ids):
            raise AirflowSkipException(
                self._where() + " reached a state in our states-to-skip-on list. Skipping."
            )
        instances = self._raw_count(dates, [*_LIVE_STATES, None], task_ids)
        allowed = self._raw_count(dates, self.allowed_states, task_ids)
        return instances >= len(task_ids) * len(dates) and allowed == instances

    def execute(self, context: dict[str, Any]) -> Any:
        """Poke, or with ``deferrable=True`` defer on a ``WorkflowTrigger`` that reads the
        other DAG's states from the triggerer (Airflow's), holding no worker meanwhile."""
        if not self.deferrable:
            return super().execute(context)
        timeout = self.timeout or (self.execution_timeout.total_seconds() if self.execution_timeout else None)
        trigger = WorkflowTrigger(
            external_dag_id=self.external_dag_id,
            external_task_group_id=self.external_task_group_id,
            external_task_ids=self.external_task_ids,
            allowed_states=self.allowed_states,
            failed_states=self.failed_states,
            skipped_states=self.skipped_states,
            poke_interval=float(self.poke_interval or 0.0),
            soft_fail=self.soft_fail,
            logical_dates=self.logical_dates(context),
        )
        self.defer(
            trigger=trigger,
            method_name="execute_complete",
            timeout=datetime.timedelta(seconds=timeout) if timeout else None,
        )

    def execute_complete(self, context: dict[str, Any], event: dict[str, Any] | None = None) -> None:
        """The trigger's verdict, as Airflow's standard provider reads it."""
        if event is None:
            raise ExternalTaskNotFoundError("No event received from trigger")
        status = event.get("status")
        if status == "success":
            self.log.info("External tasks %s has executed successfully.", self.external_task_ids)
            return
        if status == "skipped":
            raise AirflowSkipException("External job has skipped skipping.")
        if self.soft_fail:
            raise AirflowSkipException("External job has failed skipping.")
        if status == "failed":
            raise ExternalDagFailedError("External job has failed.")
        raise ExternalTaskNotFoundError(
            "Error occurred while trying to retrieve task status. Please, check the "
            "name of executed task and Dag."
        )

    def _where(self) -> str:
        if self.external_task_group_id is not None:
            return f"The external task_group '{self.external_task_group_id}' in DAG '{self.external_dag_id}'"
        if self.external_task_ids:
            return f"Some of the external tasks {self.external_task_ids} in DAG {self.external_dag_id}"
        return f"The external DAG {self.external_dag_id}"

    def _fail(self) -> None:
        message = f"{self._where()} failed."
        if self.soft_fail:
            raise AirflowSkipException(f"{message} Skipping due to soft_fail.")
        raise AirflowException(message)


class ExternalTaskMarker(BaseOperator):
    """Marks a dependency on a task of another DAG; does nothing when it runs.

    Clearing it clears the marked task (and its downstream) in the other DAG's run at
    ``logical_date``, through further markers up to ``recursion_depth`` levels, as
    Airflow's clear does (see ``brisa.services.tasks.clear_task_instances``).
    """

    template_fields = ("external_dag_id", "external_task_id", "logical_date")
    extra_fields = ("recursion_depth",)
    ui_color = "#4db7db"

    def __init__(
        self,
        *,
        external_dag_id: str,
        external_task_id: str,
        logical_date: str | datetime.datetime | None = "{{ logical_date.isoformat() }}",
        execution_date: str | datetime.datetime | None = None,
        recursion_depth: int = 10,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.external_dag_id = external_dag_id
        self.external_task_id = external_task_id
        self.logical_date = execution_date if execution_date is not None else logical_date
        if recursion_depth <= 0:
            raise ValueError("recursion_depth should be a positive integer")
        self.recursion_depth = recursion_depth

    def execute(self, context: dict[str, Any]) -> None:
        return None


__all__ = ["ExternalTaskMarker", "ExternalTaskSensor"]
