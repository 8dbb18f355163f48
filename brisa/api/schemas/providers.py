"""``/providers``: Airflow 3's ``ProviderResponse`` and its collection."""

from __future__ import annotations

from brisa.api.schemas.base import ResponseModel


class ProviderResponse(ResponseModel):
    package_name: str
    description: str
    version: str
    documentation_url: str | None


class ProviderCollectionResponse(ResponseModel):
    providers: list[ProviderResponse]
    total_entries: int


__all__ = ["ProviderCollectionResponse", "ProviderResponse"]
