"""``SubDagOperator`` (Airflow 1.10 and 2.x): run a sub-DAG as a child of the parent run.

The sub-DAG is a DAG of its own, ``<parent_dag_id>.<task_id>``, collected by the loader
and marked ``is_subdag`` (never scheduled by its own schedule).  The operator creates a
run of it with the parent run's id, logical date and conf (reusing it when it exists; on
a retry, a failed one has its failed and upstream_failed tasks cleared, as Airflow 2's
``_reset_dag_run_and_task_instances``), then waits for it like a sensor (``mode``,
``poke_interval``, ``timeout``).
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

from brisa import errors
from brisa.runtime import RESET_FAILED_TASKS, current_runtime
from brisa.sdk.dag import DAG
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.sensors.base import BaseSensorOperator
from brisa.sdk.skipping import skip_tasks

log = logging.getLogger("airflow.task.operators")

_UNFINISHED = frozenset({"queued", "running"})


class SkippedStatePropagationOptions(Enum):
    """Airflow 2's ``propagate_skipped_state`` values (a plain Enum there too)."""

    ALL_LEAVES = "all_leaves"
    ANY_LEAF = "any_leaf"


class SubDagOperator(BaseSensorOperator):
    """Run ``subdag`` for the parent run's logical date; succeed when its run succeeds."""

    ui_color = "#555"
    ui_fgcolor = "#fff"
    extra_fields = (*BaseSensorOperator.extra_fields, "subdag_id")

    def __init__(
        self,
        *,
        subdag: DAG,
        conf: dict[str, Any] | None = None,
        propagate_skipped_state: str | None = None,
        session: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.subdag = subdag
        self.conf = conf
        self.propagate_skipped_state = propagate_skipped_state
        self._validate_subdag()
        subdag.is_subdag = True
        subdag.parent_dag = self._dag

    @property
    def subdag_id(self) -> str:
        return self.subdag.dag_id

    def _validate_subdag(self) -> None:
        dag = self._dag
        if dag is None:
            raise AirflowException("Please pass in the `dag` param or call within a DAG context manager")
        expected = f"{dag.dag_id}.{self.task_id}"
        if self.subdag.dag_id != expected:
            raise AirflowException(
                "The subdag's dag_id should have the form '{parent_dag_id}.{this_task_id}'. "
                f"Expected '{expected}'; received '{self.subdag.dag_id}'."
            )

    def execute(self, context: dict[str, Any]) -> Any:
        run_id = self._start_child(context)
        context["_subdag_run_id"] = run_id
        super().execute(context)
        self._finish(context, run_id)

    def _start_child(self, context: dict[str, Any]) -> str:
        """Create the child run, or reuse it; a failed one has its failed tasks cleared at
        the start of a new try (a retry), as Airflow, never when a rescheduled poke resumes."""
        dag_run = context["dag_run"]
        runtime = current_runtime()
        run_id = dag_run.run_id
        state = runtime.get_run_state(dag_id=self.subdag_id, run_id=run_id)
        if state is not None and (state != "failed" or self._is_resuming(context)):
            log.info("Reusing the run %s of sub-DAG %s (%s)", run_id, self.subdag_id, state)
            return run_id
        conf = self.conf if self.conf is not None else dict(getattr(dag_run, "conf", None) or {})
        logical_date = context.get("logical_date") or dag_run.logical_date
        try:
            runtime.trigger_dag(
                dag_id=self.subdag_id,
                run_id=run_id,
                conf=conf,
                logical_date=logical_date.isoformat() if logical_date else None,
                reset_dag_run=RESET_FAILED_TASKS if state == "failed" else False,
            )
        except errors.NotFoundError as err:
            raise AirflowException(f"Sub-DAG {self.subdag_id} not found: {err}") from err
        done = "Cleared the failed tasks of" if state == "failed" else "Created"
        log.info("%s the run %s of sub-DAG %s", done, run_id, self.subdag_id)
        return run_id

    def _is_resuming(self, context: dict[str, Any]) -> bool:
        """A rescheduled poke of the same try (its sensor series has started)."""
        return self.reschedule and getattr(context.get("ti"), "sensor_start_date", None) is not None

    def poke(self, context: dict[str, Any]) -> bool:
        run_id = context.get("_subdag_run_id") or context["dag_run"].run_id
        state = current_runtime().get_run_state(dag_id=self.subdag_id, run_id=run_id)
        log.info("Sub-DAG %s run %s is %s", self.subdag_id, run_id, state)
        return state not in _UNFINISHED

    def _finish(self, context: dict[str, Any], run_id: str) -> None:
        """Airflow's post_execute: fail unless the child succeeded; with
        ``propagate_skipped_state``, skip this task's downstream tasks when the child's
        leaves were skipped (``all_leaves`` or ``any_leaf``)."""
        state = current_runtime().get_run_state(dag_id=self.subdag_id, run_id=run_id)
        if state != "success":
            raise AirflowException(f"Expected state: success. Actual state: {state}")
        if self.propagate_skipped_state and self._leaves_skipped(run_id):
            skipped = skip_tasks(self.downstream_task_ids)
            log.info("Sub-DAG %s skipped: skipping %s", self.subdag_id, skipped)

    def _leaves_skipped(self, run_id: str) -> bool:
        """Airflow 2.10's ``_check_skipped_states`` over the child run's leaf task instances
        (with none found, ``all_leaves`` holds and ``any_leaf`` does not, as Python's all/any)."""
        option = _propagation(self.propagate_skipped_state)
        tis = current_runtime().get_task_instances(dag_id=self.subdag_id, run_id=run_id, states=None)
        leaves = {t.task_id for t in self.subdag.tasks if not t.downstream_task_ids}
        skipped = [ti.get("state") == "skipped" for ti in tis if ti["task_id"] in leaves]
        if option is SkippedStatePropagationOptions.ALL_LEAVES:
            return all(skipped)
        return any(skipped)


def _propagation(value: Any) -> SkippedStatePropagationOptions:
    """The option given as Airflow's enum or its value; anything else fails as Airflow does."""
    try:
        return SkippedStatePropagationOptions(getattr(value, "value", value))
    except ValueError:
        raise AirflowException(f"Unimplemented SkippedStatePropagationOptions {value} used.") from None


__all__ = ["SkippedStatePropagationOptions", "SubDagOperator"]
