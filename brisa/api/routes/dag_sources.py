"""``GET /api/v2/dagSources/{dag_id}``: the DAG file's source, as last parsed.

The loader stores the file's text with the serialized DAG; the UI's Code page reads the
same column (``tx.dags.source_code``). Brisa keeps one version of a DAG, numbered 1.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from fastapi.responses import PlainTextResponse, Response

from brisa.api.routes._common import Ctx
from brisa.api.schemas import DB_INT_MAX, DAGSourceResponse
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import NotFoundError

router = APIRouter(prefix="/api/v2/dagSources", tags=["DagSource"])

VERSION_NUMBER = 1
"""Brisa's only DAG version (see "DAG versions" in docs/api.md)."""
JSON, TEXT, ANY = "application/json", "text/plain", "*/*"

AcceptHeader = Annotated[str, Header(json_schema_extra={"examples": [JSON, TEXT, ANY]})]
VersionQuery = Annotated[int | None, Query(ge=-DB_INT_MAX - 1, le=DB_INT_MAX)]


@router.get(
    "/{dag_id}",
    response_model=DAGSourceResponse,
    responses={200: {"content": {TEXT: {"schema": {"type": "string"}}}}},
)
def get_dag_source(
    ctx: Ctx,
    dag_id: str,
    _: Annotated[Principal, Depends(require(Permission.DAG_READ, Permission.DAG_CODE_READ))],
    version_number: VersionQuery = None,
    accept: AcceptHeader = ANY,
) -> DAGSourceResponse | Response:
    """The source as JSON, or as the bare text with ``Accept: text/plain`` (406 for other types)."""
    wanted = negotiate(accept)
    if version_number not in (None, VERSION_NUMBER):
        raise NotFoundError(
            f"The source code of the DAG {dag_id}, version_number {version_number} was not found"
        )
    with ctx.store.transaction(readonly=True) as tx:
        tx.dags.require(dag_id)
        content = tx.dags.source_code(dag_id)
    if wanted == TEXT:
        return PlainTextResponse(content or "")
    return DAGSourceResponse(
        content=content, dag_id=dag_id, version_number=VERSION_NUMBER, dag_display_name=dag_id
    )


def negotiate(accept: str) -> str:
    """``text/plain`` or JSON, by the first of them the ``Accept`` list names.

    Airflow looks only at how the header starts; reading the whole list also serves a
    browser's ``text/html,...,*/*;q=0.8`` (with JSON) instead of answering 406.
    """
    for media_range in accept.split(","):
        media_type = media_range.split(";")[0].strip().lower()
        if media_type in (JSON, ANY):
            return JSON
        if media_type == TEXT:
            return TEXT
    raise HTTPException(status_code=406, detail="Only application/json or text/plain is supported")


__all__ = ["VERSION_NUMBER", "negotiate", "router"]
