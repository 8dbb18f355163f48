"""``/api/v2/dags``: list, get, details, pause and unpause."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

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
from brisa.services.dags import set_paused

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
    pattern = query.dag_id_pattern or query.dag_display_name_pattern
    with ctx.store.transaction(readonly=True) as tx:
        page = tx.dags.search(
            active=True if query.exclude_stale else None,
            paused=query.paused,
            tags=query.tags,
            tags_match_all=query.tags_match_mode == "all",
            owners=query.owners,
            dag_id_like=like(pattern),
            last_run_states=[query.last_dag_run_state.value] if query.last_dag_run_state else (),
            any_run_states=[state.value for state in query.dag_run_state],
            order=order_of(query, _SORT_RENAMES),
            **page_args(query),
        )
    dags = [dag_fields(ctx, record) for record in page.items]
    return DAGCollectionResponse.model_validate({"dags": dags, "total_entries": page.total})


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
        record = tx.dags.require(dag_id)
        if "is_paused" in changes and changes["is_paused"] != record.is_paused:
            record = set_paused(tx, dag_id, changes["is_paused"], now=ctx.now())
        ctx.audit(tx, "patch_dag", user, dag_id=dag_id, extra=changes)
    if not record.is_paused:
        ctx.changed()
    return DAGResponse.model_validate(dag_fields(ctx, record))


__all__ = ["BrisaDAGDetailsResponse", "router"]
