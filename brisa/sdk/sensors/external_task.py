"""``ExternalTaskSensor`` (wait for tasks of another DAG) and ``ExternalTaskMarker``."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from brisa.runtime import current_runtime
from brisa.sdk import timezone
from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.exceptions import AirflowException, AirflowSkipException, UnsupportedFeatureError
from brisa.sdk.execution import determine_kwargs
from brisa.sdk.sensors.base import BaseSensorOperator


class ExternalTaskSensor(BaseSensorOperator):
    """Wait until ``external_task_ids`` of ``external_dag_id`` (or its whole run, when no
    task is named) reach ``allowed_states`` for the matching logical date(s).

    Any of them in ``failed_states`` fails the sensor (skips it with ``soft_fail``);
    any in ``skipped_states`` skips it.
    """

    template_fields = ("external_dag_id", "external_task_id", "external_task_ids")
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
        if external_task_group_id is not None:
            raise UnsupportedFeatureError(
                "ExternalTaskSensor(external_task_group_id=...) is not supported by Brisa; "
                "list the group's tasks in external_task_ids instead"
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
        count = current_runtime().count_task_states(
            dag_id=self.external_dag_id,
            logical_dates=[d.isoformat() for d in dates],
            task_ids=list(self.external_task_ids) if self.external_task_ids else None,
            states=states,
        )
        return count / len(self.external_task_ids) if self.external_task_ids else count

    def poke(self, context: dict[str, Any]) -> bool:
        dates = self.logical_dates(context)
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

    def _where(self) -> str:
        if self.external_task_ids:
            return f"Some of the external tasks {self.external_task_ids} in DAG {self.external_dag_id}"
        return f"The external DAG {self.external_dag_id}"

    def _fail(self) -> None:
        message = f"{self._where()} failed."
        if self.soft_fail:
            raise AirflowSkipException(f"{message} Skipping due to soft_fail.")
        raise AirflowException(message)


class ExternalTaskMarker(BaseOperator):
    """Marks a dependency on a task of another DAG (used when clearing); does nothing."""

    template_fields = ("external_dag_id", "external_task_id", "logical_date")
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
