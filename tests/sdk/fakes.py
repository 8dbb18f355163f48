"""A dict-backed TaskRuntime and context builders for SDK tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from brisa import errors
from brisa.runtime import mappable_items, sequence_answer
from brisa.sdk.dagrun import DagRun
from brisa.sdk.taskinstance import TaskInstance


class MemoryRuntime:
    """Implements brisa.runtime.TaskRuntime over dicts; records every call."""

    def __init__(
        self, *, dag_id: str = "d", run_id: str = "r", task_id: str = "t", map_index: int = -1
    ) -> None:
        self.dag_id, self.run_id, self.task_id, self.map_index = dag_id, run_id, task_id, map_index
        self.xcoms: dict[tuple[str, str, str, int, str], Any] = {}
        self.sequence_calls: list[int | None] = []
        """The ``index`` of every ``xcom_sequence`` call (None: the length only)."""
        self.variables: dict[str, str] = {}
        self.connections: dict[str, dict[str, Any]] = {}
        self.skipped: list[tuple[tuple[str, ...], int | None]] = []
        self.masked: list[str] = []
        self.triggered: list[dict[str, Any]] = []
        self.run_states: dict[tuple[str, str], list[str]] = {}
        self.state_counts: dict[tuple[str, tuple[str, ...]], int] = {}
        self.count_calls: list[dict[str, Any]] = []
        self.task_instances: list[dict[str, Any]] = []
        """Rows as ``get_task_instances`` returns them (see ``add_ti``)."""
        self.ti_calls: list[dict[str, Any]] = []
        self.task_groups: dict[tuple[str, str], list[str]] = {}
        """``get_task_group_task_ids`` answers: ``{(dag_id, group_id): [task ids]}``."""
        self.task_state: dict[tuple[str, str, str, int], dict[str, Any]] = {}
        """Task state store keys per task instance: ``{key: (value, retention)}``."""

    def push(self, task_id: str, value: Any, *, key: str = "return_value", map_index: int = -1) -> None:
        self.xcoms[(self.dag_id, self.run_id, task_id, map_index, key)] = value

    def xcom_pull(
        self,
        *,
        dag_id: str,
        run_id: str,
        task_ids: Sequence[str],
        key: str,
        map_indexes: Sequence[int] | None,
    ):
        rows = []
        for (d, r, t, m, k), value in sorted(self.xcoms.items(), key=lambda kv: kv[0][3]):
            if (
                d == dag_id
                and r == run_id
                and t in task_ids
                and k == key
                and (map_indexes is None or m in map_indexes)
            ):
                rows.append((t, m, value))
        return rows

    def xcom_sequence(self, *, dag_id: str, run_id: str, task_id: str, key: str, index: int | None):
        """As the store answers: a plain task's value, else the mapped task's values in order."""
        self.sequence_calls.append(index)
        found = {
            m: v
            for (d, r, t, m, k), v in self.xcoms.items()
            if (d, r, t, k) == (dag_id, run_id, task_id, key)
        }
        if not found:
            return {"missing": True}
        value = found[-1] if -1 in found else [found[m] for m in sorted(found)]
        return sequence_answer(value, mappable_items(value), index)

    def xcom_push(self, *, key: str, value: Any) -> None:
        self.push(self.task_id, value, key=key, map_index=self.map_index)

    def get_variable(self, key: str) -> str | None:
        return self.variables.get(key)

    def set_variable(self, key: str, value: str, description: str | None = None) -> None:
        self.variables[key] = value

    def delete_variable(self, key: str) -> None:
        self.variables.pop(key, None)

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        return self.connections.get(conn_id)

    def trigger_dag(self, *, dag_id, run_id, conf, logical_date, reset_dag_run) -> str:
        if any(t["run_id"] == run_id and t["dag_id"] == dag_id for t in self.triggered) and not reset_dag_run:
            raise errors.ConflictError(f"run {run_id} exists")
        self.triggered.append(
            {
                "dag_id": dag_id,
                "run_id": run_id,
                "conf": conf,
                "logical_date": logical_date,
                "reset": reset_dag_run,
            }
        )
        return run_id

    def get_run_state(self, *, dag_id: str, run_id: str) -> str | None:
        states = self.run_states.get((dag_id, run_id)) or [None]
        return states.pop(0) if len(states) > 1 else states[0]

    def count_task_states(self, *, dag_id, logical_dates, task_ids, states) -> int:
        self.count_calls.append(
            {
                "dag_id": dag_id,
                "logical_dates": list(logical_dates),
                "task_ids": task_ids,
                "states": list(states),
            }
        )
        return self.state_counts.get((dag_id, tuple(states)), 0)

    def add_ti(self, task_id: str, state: str | None, **fields: Any) -> dict[str, Any]:
        row = {"dag_id": self.dag_id, "run_id": self.run_id, "task_id": task_id, "map_index": -1}
        row.update(state=state, **fields)
        self.task_instances.append(row)
        return row

    def get_task_instances(self, *, dag_id, run_id, states) -> list[dict[str, Any]]:
        self.ti_calls.append({"dag_id": dag_id, "run_id": run_id, "states": states})
        return [
            dict(row)
            for row in self.task_instances
            if (row["dag_id"], row["run_id"]) == (dag_id, run_id)
            and (states is None or row["state"] in states)
        ]

    def get_task_instance(self, *, dag_id, run_id, task_id, map_index) -> dict[str, Any] | None:
        key = (dag_id, run_id, task_id, map_index)
        found = [
            r for r in self.task_instances if (r["dag_id"], r["run_id"], r["task_id"], r["map_index"]) == key
        ]
        return dict(found[0]) if found else None

    def skip_tasks(self, *, task_ids: Sequence[str], map_index: int | None = None) -> None:
        self.skipped.append((tuple(task_ids), map_index))

    def get_task_group_task_ids(self, *, dag_id: str, group_id: str) -> list[str] | None:
        return self.task_groups.get((dag_id, group_id))

    def _task_state(self) -> dict[str, Any]:
        return self.task_state.setdefault((self.dag_id, self.run_id, self.task_id, self.map_index), {})

    def get_task_state(self, *, key: str) -> dict[str, Any] | None:
        found = self._task_state().get(key)
        return None if found is None else {"value": found[0]}

    def set_task_state(self, *, key: str, value: Any, retention: float | None) -> None:
        self._task_state()[key] = (value, retention)

    def delete_task_state(self, *, key: str) -> None:
        self._task_state().pop(key, None)

    def clear_task_state(self) -> None:
        self._task_state().clear()

    def mask_secret(self, value: str) -> None:
        self.masked.append(value)

    def mask_text(self, text: str) -> str:
        for secret in self.masked:
            text = text.replace(secret, "***")
        return text


def make_context(
    task: Any, runtime: MemoryRuntime, *, logical_date: datetime | None = None, **extra: Any
) -> dict[str, Any]:
    """A minimal Airflow-style context for executing ``task`` outside the runner."""
    dag_run = DagRun(
        dag_id=runtime.dag_id, run_id=runtime.run_id, logical_date=logical_date, run_type="scheduled"
    )
    ti = TaskInstance(
        dag_id=runtime.dag_id,
        task_id=task.task_id,
        run_id=runtime.run_id,
        task=task,
        map_index=runtime.map_index,
        logical_date=logical_date,
        dag_run=dag_run,
    )
    context = {
        "ti": ti,
        "task_instance": ti,
        "task": task,
        "dag_run": dag_run,
        "run_id": runtime.run_id,
        "logical_date": logical_date,
        "params": {},
    }
    context.update(extra)
    return context


def run_task(
    dag: Any,
    task_id: str,
    runtime: MemoryRuntime,
    *,
    logical_date: datetime | None = None,
    data_interval: tuple[datetime, datetime] | None = None,
    map_index: int = -1,
    conf: dict[str, Any] | None = None,
    run_type: str = "scheduled",
    ti_fields: dict[str, Any] | None = None,
) -> Any:
    """What the runner does for one try: context, unmap, render, execute."""
    from brisa.runtime import use_runtime
    from brisa.sdk.execution import execute_task
    from brisa.sdk.params import resolve_run_params
    from brisa.templating import build_context

    runtime.task_id, runtime.map_index = task_id, map_index
    runtime.dag_id = dag.dag_id
    start, end = data_interval or (logical_date, logical_date)
    run = DagRun(
        dag_id=dag.dag_id,
        run_id=runtime.run_id,
        run_type=run_type,
        logical_date=logical_date,
        data_interval_start=start,
        data_interval_end=end,
        conf=conf,
    )
    generation = dag.generation or "2"

    def context_for(task: Any) -> dict[str, Any]:
        ti = TaskInstance(
            dag_id=dag.dag_id,
            task_id=task_id,
            run_id=runtime.run_id,
            task=task,
            map_index=map_index,
            logical_date=logical_date,
            dag_run=run,
            **(ti_fields or {}),
        )
        params = resolve_run_params(task.params, conf)
        return build_context(
            dag=dag, task=task, dag_run=run, ti=ti, generation=generation, runtime=runtime, params=params
        )

    with use_runtime(runtime):
        task = dag.get_task(task_id)
        if task.is_mapped:
            task = task.unmap(map_index, context_for(task))
        task = task.prepare_for_execution()
        context = context_for(task)
        task.render_template_fields(context, dag.get_template_env())
        return execute_task(task, context)
