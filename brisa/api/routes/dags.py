"""``/api/v2/dags``: list, get, details, pause and unpause, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx, UpdateMask, like, order_of, page_args
from brisa.api.schemas import (
    DAG_PATCHABLE_FIELDS,
    DAGCollectionResponse,
    DAGDetailsResponse,
    DagListQuery,
    DAGPatchBody,
    DAGResponse,
    check_update_mask,
    fields_to_update,
)
from brisa.api.security import Principal, require
from brisa.api.views import dag_details_fields, dag_fields
from brisa.auth.roles import Permission
from brisa.services.dags import delete_dag as forget_dag
from brisa.services.dags import set_paused
from brisa.store.records import DagRecord, Page
from brisa.store.sql import Transaction

router = APIRouter(prefix="/api/v2/dags", tags=["DAG"])

_SORT_RENAMES = {"dag_display_name": "dag_id"}


class BrisaDAGDetailsResponse(DAGDetailsResponse):
    """Airflow's DAG details plus which Airflow generation's meaning the DAG gets, and why."""

    generation: str
    generation_reason: str


@router.get("", response_model=DAGCollectionResponse)
def list_dags(
    ctx: Ctx,
    query: Annotated[DagListQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.DAG_READ))],
) -> DAGCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        page = _search(tx, query)
    return _collection(ctx, page.items, page.total)


def _search(tx: Transaction, query: DagListQuery) -> Page[DagRecord]:
    """The page of DAGs the list filters select (``PATCH /dags`` pauses the same page)."""
    pattern = query.dag_id_pattern or query.dag_display_name_pattern
    return tx.dags.search(
        active=True if query.exclude_stale else None,
        paused=query.paused,
        tags=query.tags,
        tags_match_all=query.tags_match_mode == "all",
        owners=query.owners,
        dag_id_like=like(pattern),
        last_run_states=[query.last_dag_run_state.value] if query.last_dag_run_state else (),
        any_run_states=[state.value for state in query.dag_run_state],
        order=order_of(query, _SORT_RENAMES),
        subdags=False,  # Airflow 2's GET /dags filtered out ``is_subdag`` DAGs
        **page_args(query),
    )


def _collection(ctx: ApiContext, records: list[DagRecord], total: int) -> DAGCollectionResponse:
    dags = [dag_fields(ctx, record) for record in records]
    return DAGCollectionResponse.model_validate({"dags": dags, "total_entries": total})


@router.patch("", response_model=DAGCollectionResponse)
def patch_dags(
    ctx: Ctx,
    query: Annotated[DagListQuery, Query()],
    body: DAGPatchBody,
    user: Annotated[Principal, Depends(require(Permission.DAG_EDIT))],
    update_mask: UpdateMask = None,
) -> DAGCollectionResponse:
    """Pause or unpause the DAGs the list filters select (``dag_id_pattern=~``: all), as Airflow.

    Like Airflow, only the page ``limit``/``offset`` select is changed; ``total_entries``
    counts every match, so a client pages through to change them all.
    """
    check_update_mask(update_mask, DAG_PATCHABLE_FIELDS)
    changes = fields_to_update(body, update_mask, sent_only=True)
    with ctx.store.transaction() as tx:
        page = _search(tx, query)
        records = [_apply(ctx, tx, user, record, changes) for record in page.items]
    if any(not record.is_paused for record in records):
        ctx.changed()
    return _collection(ctx, records, page.total)


@router.get("/{dag_id}", response_model=DAGResponse)
def get_dag(
    ctx: Ctx, dag_id: str, _: Annotated[Principal, Depends(require(Permission.DAG_READ))]
) -> DAGResponse:
    with ctx.store.transaction(readonly=True) as tx:
        record = tx.dags.require(dag_id)
    return DAGResponse.model_validate(dag_fields(ctx, record))


@router.get("/{dag_id}/details", response_model=BrisaDAGDetailsResponse)
def get_dag_details(
    ctx: Ctx, dag_id: str, _: Annotated[Principal, Depends(require(Permission.DAG_READ))]
) -> BrisaDAGDetailsResponse:
    with ctx.store.transaction(readonly=True) as tx:
        record = tx.dags.require(dag_id)
        dag = tx.dags.serialized(dag_id)
    return BrisaDAGDetailsResponse.model_validate(dag_details_fields(ctx, record, dag))


@router.patch("/{dag_id}", response_model=DAGResponse)
def patch_dag(
    ctx: Ctx,
    dag_id: str,
    body: DAGPatchBody,
    user: Annotated[Principal, Depends(require(Permission.DAG_EDIT))],
    update_mask: UpdateMask = None,
) -> DAGResponse:
    """Pause or unpause; unpausing wakes the scheduler so due runs start at once."""
    check_update_mask(update_mask, DAG_PATCHABLE_FIELDS)
    changes = fields_to_update(body, update_mask, sent_only=True)
    with ctx.store.transaction() as tx:
        record = _apply(ctx, tx, user, tx.dags.require(dag_id), changes)
    if not record.is_paused:
        ctx.changed()
    return DAGResponse.model_validate(dag_fields(ctx, record))


@router.delete("/{dag_id}", status_code=204, response_class=Response)
def delete_dag(
    ctx: Ctx, dag_id: str, user: Annotated[Principal, Depends(require(Permission.DAG_DELETE))]
) -> Response:
    """Delete the DAG's rows (409 while a task instance runs); its file, if still there, brings it back."""
    with ctx.store.transaction() as tx:
        forget_dag(tx, dag_id)
        ctx.audit(tx, "delete_dag", user, dag_id=dag_id)
    return Response(status_code=204)


def _apply(
    ctx: ApiContext, tx: Transaction, user: Principal, record: DagRecord, changes: dict[str, Any]
) -> DagRecord:
    """Write a DAG's PATCH (only ``is_paused``) and its audit row; the record as it is now."""
    if "is_paused" in changes and changes["is_paused"] != record.is_paused:
        record = set_paused(tx, record.dag_id, changes["is_paused"], now=ctx.now())
    ctx.audit(tx, "patch_dag", user, dag_id=record.dag_id, extra=changes)
    return record


__all__ = ["BrisaDAGDetailsResponse", "router"]
