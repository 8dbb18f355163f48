"""``/audit-log`` (who did what; Admin) and ``/import-errors`` (DAG files that failed to load)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from brisa.api.routes._common import Ctx
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.ui.pages._common import PAGE_SIZE, Pager
from brisa.ui.render import render_page

router = APIRouter(include_in_schema=False)
AUDIT_PAGE_SIZE = 50


def parse_extra(text: str | None) -> Any:
    """An audit row's ``extra`` (JSON text) for display; text that is not JSON as it is."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


@router.get("/audit-log", response_class=HTMLResponse)
def audit_log(
    ctx: Ctx,
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.AUDIT_LOG_READ))],
    dag_id: Annotated[str, Query(max_length=250)] = "",
    event: Annotated[str, Query(max_length=60)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        found = tx.audit.list(
            dag_id=dag_id or None,
            event=event or None,
            limit=AUDIT_PAGE_SIZE,
            offset=(page - 1) * AUDIT_PAGE_SIZE,
        )
    rows = [(record, parse_extra(record.extra)) for record in found.items]
    pager = Pager(page, AUDIT_PAGE_SIZE, found.total)
    return render_page(request, "audit_log.html", rows=rows, pager=pager, dag_id=dag_id, event=event)


@router.get("/import-errors", response_class=HTMLResponse)
def import_errors(
    ctx: Ctx,
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.IMPORT_ERROR_READ))],
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        found = tx.dags.search_import_errors(
            order=[("filename", False)], limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    pager = Pager(page, PAGE_SIZE, found.total)
    return render_page(request, "import_errors.html", errors=found.items, pager=pager)


__all__ = ["AUDIT_PAGE_SIZE", "parse_extra", "router"]
