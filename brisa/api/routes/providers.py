"""``GET /api/v2/providers``: the provider packages DAG files can import, as Airflow 3 lists
them; Brisa's own stand-ins (``common.sql``, ``standard``...) are listed with Brisa's
version and no documentation URL unless the real package replaces them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from brisa.api.schemas.providers import ProviderCollectionResponse, ProviderResponse
from brisa.api.schemas.query import PageQuery
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission

router = APIRouter(prefix="/api/v2/providers", tags=["Provider"])


@router.get("", response_model=ProviderCollectionResponse)
def get_providers(
    query: Annotated[PageQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.PROVIDER_READ))],
) -> ProviderCollectionResponse:
    from brisa.providers.registry import list_providers

    rows = [
        ProviderResponse(
            package_name=p.package_name,
            description=p.summary,
            version=p.version,
            documentation_url=p.documentation_url,
        )
        for p in list_providers()
    ]
    page = rows[query.offset : query.offset + query.limit]
    return ProviderCollectionResponse(providers=page, total_entries=len(rows))


__all__ = ["router"]
