"""``GET /api/v2/dagTags``: the distinct tag names of all DAGs, paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from brisa.api.routes._common import Ctx, like, page_args
from brisa.api.schemas import DAGTagCollectionResponse, DagTagListQuery
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission

router = APIRouter(prefix="/api/v2/dagTags", tags=["DAG"])


@router.get("", response_model=DAGTagCollectionResponse)
def get_dag_tags(
    ctx: Ctx,
    query: Annotated[DagTagListQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.DAG_READ))],
) -> DAGTagCollectionResponse:
    keys = query.sort_keys()  # only "name" may be named: the first key decides the direction
    descending = bool(keys) and keys[0].descending
    with ctx.store.transaction(readonly=True) as tx:
        page = tx.dags.search_tags(
            name_like=like(query.tag_name_pattern), descending=descending, **page_args(query)
        )
    return DAGTagCollectionResponse(tags=page.items, total_entries=page.total)


__all__ = ["router"]
