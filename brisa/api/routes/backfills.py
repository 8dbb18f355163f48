"""``/api/v2/backfills``: Airflow 3's backfill records: list, get, create, pause, cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from brisa.api.routes._common import Ctx, page_args
from brisa.api.schemas.backfills import (
    BackfillCollectionResponse,
    BackfillListQuery,
    BackfillPostBody,
    BackfillResponse,
)
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import InvalidInputError
from brisa.services.backfill import (
    BackfillRequest,
    cancel_backfill,
    completed_infos,
    pause_backfill,
    start_backfill,
)
from brisa.store.records import BackfillRecord
from brisa.store.sql import Transaction

router = APIRouter(prefix="/api/v2/backfills", tags=["Backfill"])


def backfill_response(record: BackfillRecord) -> BackfillResponse:
    fields = {
        name: getattr(record, name) for name in BackfillResponse.model_fields if name != "dag_display_name"
    }
    return BackfillResponse.model_validate({**fields, "dag_display_name": record.dag_id})


@router.get("", response_model=BackfillCollectionResponse)
def list_backfills(
    ctx: Ctx,
    query: Annotated[BackfillListQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.DAG_RUN_READ))],
) -> BackfillCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        page = tx.backfills.list(dag_id=query.dag_id, **page_args(query))
    return BackfillCollectionResponse(
        backfills=[backfill_response(b) for b in page.items], total_entries=page.total
    )


@router.get("/{backfill_id}", response_model=BackfillResponse)
def get_backfill(
    ctx: Ctx, backfill_id: int, _: Annotated[Principal, Depends(require(Permission.DAG_RUN_READ))]
) -> BackfillResponse:
    with ctx.store.transaction(readonly=True) as tx:
        return backfill_response(tx.backfills.require(backfill_id))


@router.post("", response_model=BackfillResponse)
def create_backfill(
    ctx: Ctx,
    body: BackfillPostBody,
    user: Annotated[Principal, Depends(require(Permission.DAG_RUN_CREATE))],
) -> BackfillResponse:
    """Record the backfill and create its runs (409 while the DAG has an active backfill)."""
    request = BackfillRequest(
        start=body.from_date,
        end=body.to_date,
        reprocess=body.reprocess_behavior,
        backwards=body.run_backwards,
        max_active_runs=body.max_active_runs,
        conf=body.dag_run_conf,
        user=user.username,
    )
    with ctx.store.transaction() as tx:
        dag = tx.dags.require_serialized(body.dag_id)
        infos = completed_infos(dag, request.start, request.end, now=ctx.now(), backwards=request.backwards)
        if not infos:
            raise InvalidInputError(f"No runs to create for DAG {body.dag_id} between the given dates")
        record, _outcome = start_backfill(tx, dag, request, infos, now=ctx.now())
        ctx.audit(tx, "create_backfill", user, dag_id=body.dag_id, extra={"backfill_id": record.id})
    ctx.changed()
    return backfill_response(record)


@router.put("/{backfill_id}/pause", response_model=BackfillResponse)
def pause(
    ctx: Ctx, backfill_id: int, user: Annotated[Principal, Depends(require(Permission.DAG_RUN_EDIT))]
) -> BackfillResponse:
    return _change(
        ctx, user, "pause_backfill", lambda tx, now: pause_backfill(tx, backfill_id, True, now=now)
    )


@router.put("/{backfill_id}/unpause", response_model=BackfillResponse)
def unpause(
    ctx: Ctx, backfill_id: int, user: Annotated[Principal, Depends(require(Permission.DAG_RUN_EDIT))]
) -> BackfillResponse:
    return _change(
        ctx, user, "unpause_backfill", lambda tx, now: pause_backfill(tx, backfill_id, False, now=now)
    )


@router.put("/{backfill_id}/cancel", response_model=BackfillResponse)
def cancel(
    ctx: Ctx, backfill_id: int, user: Annotated[Principal, Depends(require(Permission.DAG_RUN_EDIT))]
) -> BackfillResponse:
    """As Airflow 3: completes the backfill now; its queued runs fail, running ones go on."""
    return _change(ctx, user, "cancel_backfill", lambda tx, now: cancel_backfill(tx, backfill_id, now=now))


def _change(
    ctx: Ctx, user: Principal, event: str, action: Callable[[Transaction, datetime], BackfillRecord]
) -> BackfillResponse:
    with ctx.store.transaction() as tx:
        record = action(tx, ctx.now())
        ctx.audit(tx, event, user, dag_id=record.dag_id, extra={"backfill_id": record.id})
    ctx.changed()
    return backfill_response(record)
