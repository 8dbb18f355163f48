"""The ``ti`` / ``task_instance`` object a running task sees.

The runner builds one per try; its XCom calls go through :mod:`brisa.runtime`.
``sensor_start_date`` is Brisa's own: when a reschedule-mode sensor runs again, the
runner sets it to the start of the first try of the series, and the sensor measures
its timeout from there.  ``reschedule_count`` is how many reschedules came before.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from brisa.runtime import current_runtime
from brisa.sdk.xcom_arg import XCOM_RETURN_KEY


class TaskInstance:
    """One try of one task in one run, as DAG code sees it."""

    def __init__(
        self,
        *,
        dag_id: str,
        task_id: str,
        run_id: str,
        task: Any = None,
        map_index: int = -1,
        try_number: int = 1,
        max_tries: int = 0,
        state: str | None = "running",
        hostname: str = "",
        log_url: str | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        logical_date: datetime | None = None,
        sensor_start_date: datetime | None = None,
        reschedule_count: int = 0,
        dag_run: Any = None,
        pool: str = "default_pool",
        queue: str = "default",
        priority_weight: int = 1,
        executor_config: dict[str, Any] | None = None,
        generation: str = "3",
    ) -> None:
        self.dag_id = dag_id
        self.task_id = task_id
        self.run_id = run_id
        self.task = task
        self.map_index = map_index
        self.try_number = try_number
        self.max_tries = max_tries
        self.state = state
        self.hostname = hostname
        self._log_url = log_url
        self.start_date = start_date
        self.end_date = end_date
        self.logical_date = logical_date
        self.sensor_start_date = sensor_start_date
        self.reschedule_count = reschedule_count
        self.dag_run = dag_run
        self.pool = pool
        self.queue = queue
        self.priority_weight = priority_weight
        self.executor_config = executor_config or {}
        self.generation = generation

    def __repr__(self) -> str:
        prefix = f"<TaskInstance: {self.dag_id}.{self.task_id} {self.run_id} "
        if self.map_index != -1:
            prefix += f"map_index={self.map_index} "
        return prefix + f"[{self.state}]>"

    @property
    def execution_date(self) -> datetime | None:
        return self.logical_date

    @property
    def log_url(self) -> str:
        """This try's page in Brisa's web UI (``[api] base_url``), as alert callbacks link it."""
        if self._log_url is not None:
            return self._log_url
        from brisa.sdk.dagrun import task_log_url

        return task_log_url(self.dag_run, self.dag_id, self.run_id, self.task_id, self.map_index)

    @property
    def operator(self) -> str | None:
        return getattr(self.task, "task_type", None)

    @property
    def next_try_number(self) -> int:
        return self.try_number + 1

    @property
    def prev_attempted_tries(self) -> int:
        return self.try_number - 1

    def get_dagrun(self, session: Any = None) -> Any:
        return self.dag_run

    # -- XCom ----------------------------------------------------------------------------
    def xcom_push(self, key: str, value: Any, execution_date: Any = None, session: Any = None) -> None:
        current_runtime().xcom_push(key=key, value=value)

    def xcom_pull(
        self,
        task_ids: str | Iterable[str] | None = None,
        dag_id: str | None = None,
        key: str | None = XCOM_RETURN_KEY,
        include_prior_dates: bool = False,
        session: Any = None,
        *,
        map_indexes: int | Iterable[int] | None = None,
        default: Any = None,
        run_id: str | None = None,
    ) -> Any:
        """Airflow's rules: one task id gives one value (a list for a mapped task or
        several ``map_indexes``); a list of task ids gives a list, in that order, with
        ``default`` for the ones that pushed nothing; ``key=None`` means the latest XCom
        of any key. No task id means this task in Airflow 3 files, and any task of the run
        (the newest matching XCom) in 1.10 and 2.x files."""
        if task_ids is None and self.generation == "2":
            return self._pull_from_any_task(dag_id, key, map_indexes, default, run_id)
        single = task_ids is None or isinstance(task_ids, str)
        ids = (
            [self.task_id]
            if task_ids is None
            else ([task_ids] if isinstance(task_ids, str) else list(task_ids))
        )
        index_list = (
            None
            if map_indexes is None
            else ([map_indexes] if isinstance(map_indexes, int) else list(map_indexes))
        )
        rows = current_runtime().xcom_pull(
            dag_id=dag_id or self.dag_id,
            run_id=run_id or self.run_id,
            task_ids=ids,
            key=key,
            map_indexes=index_list,
        )
        if single:
            return _value_of(rows, ids[0], map_indexes, default)
        return [_value_of(rows, task_id, map_indexes, default) for task_id in ids]

    def _pull_from_any_task(
        self, dag_id: str | None, key: str | None, map_indexes: Any, default: Any, run_id: str | None
    ) -> Any:
        """Airflow 1.10/2.x's ``xcom_pull(task_ids=None)``: no task filter, newest first."""
        rows = current_runtime().xcom_pull(
            dag_id=dag_id or self.dag_id,
            run_id=run_id or self.run_id,
            task_ids=None,
            key=key,
            map_indexes=None if map_indexes is None else _as_list(map_indexes),
        )
        return rows[0][2] if rows else default


def _as_list(map_indexes: int | Iterable[int]) -> list[int]:
    return [map_indexes] if isinstance(map_indexes, int) else list(map_indexes)


def _value_of(rows: list[tuple[str, int, Any]], task_id: str, map_indexes: Any, default: Any) -> Any:
    found = sorted(((index, value) for tid, index, value in rows if tid == task_id), key=lambda pair: pair[0])
    if not found:
        return default
    if isinstance(map_indexes, int):
        return found[0][1]
    if map_indexes is None and all(index < 0 for index, _ in found):
        return found[0][1]
    return [value for _, value in found]


__all__ = ["TaskInstance"]
