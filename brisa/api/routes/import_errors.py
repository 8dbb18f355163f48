"""``/api/v2/importErrors``: DAG files that failed to load, with their tracebacks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from brisa.api.routes._common import Ctx, IdPath, order_of, page_args
from brisa.api.schemas import ImportErrorCollectionResponse, ImportErrorListQuery, ImportErrorResponse
from brisa.api.security import Principal, require
from brisa.api.views import BUNDLE_NAME
from brisa.auth.roles import Permission
from brisa.store.records import ImportErrorRecord

router = APIRouter(prefix="/api/v2/importErrors", tags=["Import Error"])
Reader = Annotated[Principal, Depends(require(Permission.IMPORT_ERROR_READ))]


def import_error_fields(error: ImportErrorRecord) -> dict:
    return {
        "import_error_id": error.id,
        "timestamp": error.timestamp,
        "filename": error.filename,
        "bundle_name": BUNDLE_NAME,
        "stack_trace": error.stacktrace or error.message,
    }


@router.get("", response_model=ImportErrorCollectionResponse)
def get_import_errors(
    ctx: Ctx, query: Annotated[ImportErrorListQuery, Query()], _: Reader
) -> ImportErrorCollectionResponse:
    order = order_of(query, {"bundle_name": "filename"})
    with ctx.store.transaction(readonly=True) as tx:
        page = tx.dags.search_import_errors(order=order, **page_args(query))
    errors = [import_error_fields(error) for error in page.items]
    return ImportErrorCollectionResponse.model_validate(
        {"import_errors": errors, "total_entries": page.total}
    )


@router.get("/{import_error_id}", response_model=ImportErrorResponse)
def get_import_error(ctx: Ctx, import_error_id: IdPath, _: Reader) -> ImportErrorResponse:
    with ctx.store.transaction(readonly=True) as tx:
        error = tx.dags.import_error(import_error_id)
    return ImportErrorResponse.model_validate(import_error_fields(error))


__all__ = ["import_error_fields", "router"]
