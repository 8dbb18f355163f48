"""Airflow's bulk bodies (``PATCH /variables``): create, update and delete in one request.

Each action reports the keys it wrote and its errors separately, so one failing action
(say a create of a key that exists, with ``action_on_existence=fail``) leaves the others
alone; the request itself answers 200.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import Field

from brisa.api.schemas.base import RequestModel, ResponseModel

BulkActionOnExistence = Literal["fail", "skip", "overwrite"]
BulkActionNotOnExistence = Literal["fail", "skip"]

EntityT = TypeVar("EntityT")


class BulkCreateAction(RequestModel, Generic[EntityT]):
    action: Literal["create"]
    entities: list[EntityT]
    action_on_existence: BulkActionOnExistence = "fail"


class BulkUpdateAction(RequestModel, Generic[EntityT]):
    action: Literal["update"]
    entities: list[EntityT]
    update_mask: list[str] | None = None
    action_on_non_existence: BulkActionNotOnExistence = "fail"


class BulkDeleteAction(RequestModel, Generic[EntityT]):
    action: Literal["delete"]
    entities: list[str | EntityT]
    """Keys, or whole bodies (only their key is used)."""
    action_on_non_existence: BulkActionNotOnExistence = "fail"


class BulkBody(RequestModel, Generic[EntityT]):
    actions: list[
        Annotated[
            BulkCreateAction[EntityT] | BulkUpdateAction[EntityT] | BulkDeleteAction[EntityT],
            Field(discriminator="action"),
        ]
    ]


class BulkActionResponse(ResponseModel):
    success: list[str] = Field(default_factory=list)
    errors: list[dict[str, Any]] = Field(default_factory=list)
    """``{"error": message, "status_code": 404 or 409}``, as Airflow reports them."""


class BulkResponse(ResponseModel):
    """One entry per kind of action the request held; the others are null."""

    create: BulkActionResponse | None = None
    update: BulkActionResponse | None = None
    delete: BulkActionResponse | None = None


__all__ = [
    "BulkActionNotOnExistence",
    "BulkActionOnExistence",
    "BulkActionResponse",
    "BulkBody",
    "BulkCreateAction",
    "BulkDeleteAction",
    "BulkResponse",
    "BulkUpdateAction",
]
