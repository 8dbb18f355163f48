"""XCom entries: list (``~`` for DAG, run and task), get one (natively or as a string),
create and update."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from brisa import serde
from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx, like, page_args, unless_wildcard
from brisa.api.routes.task_instances import TI_PATH
from brisa.api.schemas import (
    XComCollectionResponse,
    XComCreateBody,
    XComEntryQuery,
    XComListQuery,
    XComResponseNative,
    XComResponseString,
    XComUpdateBody,
)
from brisa.api.security import Principal, require
from brisa.api.views import xcom_fields
from brisa.auth.roles import Permission
from brisa.errors import InvalidInputError, NotFoundError
from brisa.store.records import RunRecord, TaskKey, XComRecord
from brisa.store.sql import Transaction

XCOM_PATH = TI_PATH + "/{task_id}/xcomEntries"

router = APIRouter(tags=["XCom"])
Reader = Annotated[Principal, Depends(require(Permission.XCOM_READ))]
# FAB gives no role below Admin "can create" or "can edit" on XComs.
Creator = Annotated[Principal, Depends(require(Permission.XCOM_CREATE))]
Editor = Annotated[Principal, Depends(require(Permission.XCOM_EDIT))]


@router.get(XCOM_PATH, response_model=XComCollectionResponse)
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


@router.get(XCOM_PATH + "/{xcom_key}", response_model=XComResponseNative | XComResponseString)
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
    model = XComResponseString if query.stringify else XComResponseNative
    return model.model_validate(_shown(ctx, entry, run))


@router.post(XCOM_PATH, response_model=XComResponseNative, status_code=201)
def create_xcom_entry(
    ctx: Ctx, dag_id: str, dag_run_id: str, task_id: str, body: XComCreateBody, user: Creator
) -> XComResponseNative:
    """Add an XCom to a task instance, as if the task had pushed it (409 if the key exists).

    404 when the DAG, its task, the run or the task instance (``map_index``) is unknown.
    """
    key = TaskKey(dag_id, dag_run_id, task_id, body.map_index)
    _check_storable(body.key, body.value)
    with ctx.store.transaction() as tx:
        run = _require_task_instance(tx, key)
        entry = tx.xcoms.create(key, body.key, body.value, now=ctx.now())
        _audit(ctx, tx, "create_xcom_entry", user, key, body.key)
    return XComResponseNative.model_validate(_shown(ctx, entry, run))


@router.patch(XCOM_PATH + "/{xcom_key}", response_model=XComResponseNative)
def update_xcom_entry(
    ctx: Ctx, dag_id: str, dag_run_id: str, task_id: str, xcom_key: str, body: XComUpdateBody, user: Editor
) -> XComResponseNative:
    """Replace the value of an existing XCom (404 if there is none)."""
    key = TaskKey(dag_id, dag_run_id, task_id, body.map_index)
    _check_storable(xcom_key, body.value)
    with ctx.store.transaction() as tx:
        entry = tx.xcoms.update(key, xcom_key, body.value)
        run = tx.runs.get(dag_id, dag_run_id)
        _audit(ctx, tx, "update_xcom_entry", user, key, xcom_key)
    return XComResponseNative.model_validate(_shown(ctx, entry, run))


def _shown(ctx: ApiContext, entry: XComRecord, run: RunRecord | None) -> dict[str, Any]:
    """The entry's response fields, its value masked: under sensitive keys, and wherever a
    connection password, secret variable or configured key appears in it."""
    return xcom_fields(entry, run) | {"value": ctx.secrets_masker().redact(entry.value, entry.key)}


def _check_storable(xcom_key: str, value: Any) -> None:
    """Refuse (400, as Airflow) a value the XCom codec would read back as something else."""
    if serde.has_reserved_key(value):
        raise InvalidInputError(
            f"Couldn't serialise the XCom with key: `{xcom_key}`: "
            f"{serde.RESERVED_KEY!r} is reserved for values Brisa tags with their type"
        )


def _require_task_instance(tx: Transaction, key: TaskKey) -> RunRecord:
    """The run of ``key``, after checking that the DAG has the task and the run has the instance."""
    dag = tx.dags.require_serialized(key.dag_id)
    if key.task_id not in dag.tasks:
        raise NotFoundError(f"Task with ID: `{key.task_id}` not found in dag: `{key.dag_id}`")
    run = tx.runs.require(key.dag_id, key.run_id)
    tx.tis.require(key)
    return run


def _audit(
    ctx: ApiContext, tx: Transaction, event: str, user: Principal, key: TaskKey, xcom_key: str
) -> None:
    # The value is left out: it may be large, and it is readable where it is stored.
    where = {"dag_id": key.dag_id, "run_id": key.run_id, "task_id": key.task_id, "map_index": key.map_index}
    ctx.audit(tx, event, user, **where, extra={"key": xcom_key})


__all__ = ["XCOM_PATH", "router"]
