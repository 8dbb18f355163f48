"""The ``dag_run`` object a running task sees (a read-only view of the run).

``get_task_instances()`` / ``get_task_instance()`` read the run's task instances when
called, through the current :class:`~brisa.runtime.TaskRuntime` (the supervisor answers
a task process from the store; a DAG-level callback child is answered by the scheduler),
and return read-only :class:`TaskInstanceView` objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from brisa.runtime import current_runtime
from brisa.sdk.configuration import DEFAULTS
from brisa.sdk.types import DagRunType

DEFAULT_UI_URL = DEFAULTS[("webserver", "base_url")]
"""Airflow's default ``[webserver] base_url``: where ``log_url`` points when none is set."""

StateFilter = str | Iterable[str | None] | None


def task_log_url(dag_run: DagRun | None, dag_id: str, run_id: str, task_id: str, map_index: int) -> str:
    """A task instance's page in Brisa's web UI, where its log is (Airflow's ``ti.log_url``)."""
    base = dag_run.ui_url() if dag_run is not None else DEFAULT_UI_URL
    query = {"run_id": run_id, "task_id": task_id}
    if map_index >= 0:
        query["map_index"] = str(map_index)
    return f"{base.rstrip('/')}/dags/{quote(dag_id, safe='')}/task?{urlencode(query)}"


class DagRun:
    """One run of a DAG, as DAG code sees it.

    ``ui_url`` gives the web UI's base URL for ``log_url``; a function, so that the
    configuration is read only if DAG code asks for a link.
    """

    def __init__(
        self,
        *,
        dag_id: str,
        run_id: str,
        run_type: str = DagRunType.MANUAL,
        logical_date: datetime | None = None,
        data_interval_start: datetime | None = None,
        data_interval_end: datetime | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        queued_at: datetime | None = None,
        run_after: datetime | None = None,
        conf: dict[str, Any] | None = None,
        external_trigger: bool | None = None,
        state: str = "running",
        triggered_by: str | None = None,
        ui_url: Callable[[], str] = lambda: DEFAULT_UI_URL,
        partition_key: str | None = None,
        partition_date: datetime | None = None,
    ) -> None:
        self.dag_id = dag_id
        self.run_id = run_id
        self.run_type = str(run_type)
        self.logical_date = logical_date
        self.data_interval_start = data_interval_start
        self.data_interval_end = data_interval_end
        self.start_date = start_date
        self.end_date = end_date
        self.queued_at = queued_at
        self.run_after = run_after or logical_date
        self.conf = conf or {}
        self.external_trigger = (
            self.run_type == DagRunType.MANUAL if external_trigger is None else external_trigger
        )
        self.state = state
        self.triggered_by = triggered_by
        self.ui_url = ui_url
        # Airflow 3.2+'s partitioned runs (CronPartitionTimetable, PartitionedAssetTimetable).
        self.partition_key = partition_key
        self.partition_date = partition_date

    def __repr__(self) -> str:
        return (
            f"<DagRun {self.dag_id} @ {self.logical_date}: {self.run_id}, state:{self.state}, "
            f"queued_at: {self.queued_at}. externally triggered: {self.external_trigger}>"
        )

    @property
    def execution_date(self) -> datetime | None:
        return self.logical_date

    @property
    def is_backfill(self) -> bool:
        return self.run_type == DagRunType.BACKFILL_JOB

    def get_state(self) -> str:
        return self.state

    @staticmethod
    def generate_run_id(run_type: str, logical_date: datetime) -> str:
        return f"{run_type}__{logical_date.isoformat()}"

    # -- task instances (Airflow 2's DagRun methods; ``session`` is accepted and unused) --------
    def get_task_instances(self, state: StateFilter = None, session: Any = None) -> list[TaskInstanceView]:
        """The run's task instances, in creation order: all of them, or those in ``state``
        (one state, or a list of states where None means no state yet)."""
        rows = current_runtime().get_task_instances(
            dag_id=self.dag_id, run_id=self.run_id, states=wanted_states(state)
        )
        return [TaskInstanceView.from_fields(row, self) for row in rows]

    def get_task_instance(
        self, task_id: str, session: Any = None, *, map_index: int = -1
    ) -> TaskInstanceView | None:
        """The task instance of ``task_id`` (and ``map_index``) in this run, or None."""
        row = current_runtime().get_task_instance(
            dag_id=self.dag_id, run_id=self.run_id, task_id=task_id, map_index=map_index
        )
        return None if row is None else TaskInstanceView.from_fields(row, self)


def wanted_states(state: StateFilter) -> list[str | None] | None:
    """Airflow's ``state`` argument as state names, or None for no filter.

    As in Airflow, an empty filter (None, "", []) does not filter and a string is one
    state; in a list, None stands for task instances without a state yet.
    """
    if not state:
        return None
    if isinstance(state, str):
        return [str(state)]  # str(): a TaskInstanceState member becomes its plain value
    return [None if s is None else str(s) for s in state]


@dataclass(frozen=True)
class TaskInstanceView:
    """A task instance of a run as ``dag_run.get_task_instances()`` returns it: Airflow's
    common ``TaskInstance`` attributes, read when asked for and not updated afterwards
    (``current_state()`` reads the state again)."""

    dag_id: str
    task_id: str
    run_id: str
    map_index: int = -1
    state: str | None = None
    try_number: int = 0
    max_tries: int = 0
    start_date: datetime | None = None
    end_date: datetime | None = None
    duration: float | None = None
    operator: str | None = None
    hostname: str = ""
    pid: int | None = None
    pool: str = "default_pool"
    pool_slots: int = 1
    queue: str = "default"
    priority_weight: int = 1
    queued_dttm: datetime | None = None
    note: str | None = None
    dag_run: DagRun | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_fields(cls, row: Mapping[str, Any], dag_run: DagRun) -> TaskInstanceView:
        """From a runtime's dict; keys this class does not know are left out."""
        return cls(**{k: v for k, v in row.items() if k in _VIEW_FIELDS}, dag_run=dag_run)

    def __repr__(self) -> str:
        index = f"map_index={self.map_index} " if self.map_index != -1 else ""
        return f"<TaskInstance: {self.dag_id}.{self.task_id} {self.run_id} {index}[{self.state}]>"

    @property
    def logical_date(self) -> datetime | None:
        return self.dag_run.logical_date if self.dag_run else None

    @property
    def execution_date(self) -> datetime | None:
        return self.logical_date

    @property
    def log_url(self) -> str:
        """The task instance's page in Brisa's web UI, where its log is."""
        return task_log_url(self.dag_run, self.dag_id, self.run_id, self.task_id, self.map_index)

    def get_dagrun(self, session: Any = None) -> DagRun | None:
        return self.dag_run

    def current_state(self, session: Any = None) -> str | None:
        """The state now (this object keeps the one it was read with)."""
        if self.dag_run is None:
            return self.state
        now = self.dag_run.get_task_instance(self.task_id, map_index=self.map_index)
        return None if now is None else now.state


_VIEW_FIELDS = frozenset(f.name for f in fields(TaskInstanceView)) - {"dag_run"}


__all__ = ["DEFAULT_UI_URL", "DagRun", "StateFilter", "TaskInstanceView", "wanted_states"]
