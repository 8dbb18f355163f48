"""``/api/v2/eventLogs``: Brisa's audit log in the shape of Airflow's event logs (Admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from brisa.api.routes._common import Ctx, IdPath, order_of, page_args
from brisa.api.schemas import EventLogCollectionResponse, EventLogListQuery, EventLogResponse
from brisa.api.security import Principal, require
from brisa.api.views import event_log_response
from brisa.auth.roles import Permission

router = APIRouter(prefix="/api/v2/eventLogs", tags=["Event Log"])
# FAB grants "can read on Audit Logs" to Admin only; Brisa's role table does the same.
Reader = Annotated[Principal, Depends(require(Permission.AUDIT_LOG_READ))]


@router.get("", response_model=EventLogCollectionResponse)
def get_event_logs(
    ctx: Ctx, query: Annotated[EventLogListQuery, Query()], _: Reader
) -> EventLogCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        page = tx.audit.search(
            equal=query.equal(),
            included_events=query.included_events,
            excluded_events=query.excluded_events,
            before=query.before,
            after=query.after,
            order=order_of(query),
            **page_args(query),
        )
    entries = [event_log_response(ctx, record) for record in page.items]
    return EventLogCollectionResponse(event_logs=entries, total_entries=page.total)


@router.get("/{event_log_id}", response_model=EventLogResponse)
def get_event_log(ctx: Ctx, event_log_id: IdPath, _: Reader) -> EventLogResponse:
    with ctx.store.transaction(readonly=True) as tx:
        return event_log_response(ctx, tx.audit.require(event_log_id))


__all__ = ["router"]
