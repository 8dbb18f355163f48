"""XCom entries: list (``~`` for DAG, run and task) and get one, natively or as a string."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from brisa.api.routes._common import Ctx, like, page_args, unless_wildcard
from brisa.api.routes.task_instances import TI_PATH
from brisa.api.schemas import (
    XComCollectionResponse,
    XComEntryQuery,
    XComListQuery,
    XComResponseNative,
    XComResponseString,
)
from brisa.api.security import Principal, require
from brisa.api.views import xcom_fields
from brisa.auth.roles import Permission
from brisa.store.records import TaskKey

router = APIRouter(tags=["XCom"])
Reader = Annotated[Principal, Depends(require(Permission.XCOM_READ))]


@router.get(TI_PATH + "/{task_id}/xcomEntries", response_model=XComCollectionResponse)
def get_xcom_entries(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    query: Annotated[XComListQuery, Query()],
    _: Reader,
) -> XComCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        page = tx.xcoms.search(
            dag_id=unless_wildcard(dag_id),
            run_id=unless_wildcard(dag_run_id),
            task_id=unless_wildcard(task_id),
            map_index=query.map_index if query.map_index is not None else query.map_index_filter,
            key=query.xcom_key,
            dag_id_like=like(query.dag_display_name_pattern),
            run_id_like=like(query.run_id_pattern),
            task_id_like=like(query.task_id_pattern),
            key_like=like(query.xcom_key_pattern),
            bounds=query.ranges(),
            **page_args(query),
        )
        runs = tx.runs.get_many({(x.dag_id, x.run_id) for x in page.items})
    entries = [xcom_fields(x, runs.get((x.dag_id, x.run_id))) for x in page.items]
    return XComCollectionResponse.model_validate({"xcom_entries": entries, "total_entries": page.total})


@router.get(
    TI_PATH + "/{task_id}/xcomEntries/{xcom_key}", response_model=XComResponseNative | XComResponseString
)
def get_xcom_entry(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    xcom_key: str,
    query: Annotated[XComEntryQuery, Query()],
    _: Reader,
) -> XComResponseNative | XComResponseString:
    """The value as JSON, or as a string with ``stringify=true``; sensitive keys are masked."""
    key = TaskKey(dag_id, dag_run_id, task_id, query.map_index)
    with ctx.store.transaction(readonly=True) as tx:
        entry = tx.xcoms.require(key, xcom_key)
        run = tx.runs.get(dag_id, dag_run_id)
    fields = xcom_fields(entry, run) | {"value": ctx.masker.redact(entry.value, xcom_key)}
    model = XComResponseString if query.stringify else XComResponseNative
    return model.model_validate(fields)


__all__ = ["router"]
