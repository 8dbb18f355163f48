"""``/api/v2/dags/{dag_id}/tasks``: the tasks a DAG declares, read from its serialized form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from brisa.api.routes._common import Ctx
from brisa.api.schemas import SortKey, TaskCollectionResponse, TaskListQuery, TaskResponse
from brisa.api.security import Principal, require
from brisa.api.views import task_fields
from brisa.auth.roles import Permission
from brisa.errors import NotFoundError

router = APIRouter(prefix="/api/v2/dags/{dag_id}/tasks", tags=["Task"])

# Airflow checks the DAG and its "Task Instances" resource for task definitions.
TaskReader = Annotated[Principal, Depends(require(Permission.DAG_READ, Permission.TASK_INSTANCE_READ))]


@router.get("", response_model=TaskCollectionResponse)
def get_tasks(
    ctx: Ctx, dag_id: str, query: Annotated[TaskListQuery, Query()], _: TaskReader
) -> TaskCollectionResponse:
    keys = query.sort_keys()  # 400 on unknown fields before touching the store
    with ctx.store.transaction(readonly=True) as tx:
        dag = tx.dags.require_serialized(dag_id)
    rows = sort_rows([task_fields(ctx, dag, task) for task in dag.tasks.values()], keys)
    return TaskCollectionResponse.model_validate({"tasks": rows, "total_entries": len(rows)})


@router.get("/{task_id}", response_model=TaskResponse)
def get_task(ctx: Ctx, dag_id: str, task_id: str, _: TaskReader) -> TaskResponse:
    with ctx.store.transaction(readonly=True) as tx:
        dag = tx.dags.require_serialized(dag_id)
    if task_id not in dag.tasks:
        raise NotFoundError(f"Task with id {task_id} was not found")
    return TaskResponse.model_validate(task_fields(ctx, dag, dag.tasks[task_id]))


def sort_rows(rows: list[dict[str, Any]], keys: Sequence[SortKey]) -> list[dict[str, Any]]:
    """Order response rows by ``keys`` with nulls last, then by task id (the store's rule).

    Python's sort is stable, so sorting by the last key first gives the multi-key order.
    """
    first_descending = bool(keys) and keys[0].descending
    for key in [SortKey("task_id", first_descending), *reversed(keys)]:
        rows.sort(key=_nulls_last(key), reverse=key.descending)
    return rows


def _nulls_last(key: SortKey) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def sort_value(row: dict[str, Any]) -> tuple[bool, Any]:
        value = row[key.field]
        # Sorted in reverse, "is not None" must be True for values to stay ahead of nulls.
        return (value is not None, value) if key.descending else (value is None, value)

    return sort_value


__all__ = ["router", "sort_rows"]
