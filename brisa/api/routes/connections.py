"""``/api/v2/connections``: CRUD through ``SecretsService``; passwords are write-only."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from brisa.api.context import ApiContext
from brisa.api.routes._bulk import BulkResource, run_bulk
from brisa.api.routes._common import Ctx, UpdateMask, like, order_of, page_args
from brisa.api.schemas import (
    MASK,
    BulkBody,
    BulkResponse,
    ConnectionBody,
    ConnectionCollectionResponse,
    ConnectionListQuery,
    ConnectionResponse,
    check_update_mask,
)
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import InvalidInputError, SecretsError
from brisa.secrets.views import ConnectionEntry

router = APIRouter(prefix="/api/v2/connections", tags=["Connection"])

CONNECTION_PATCHABLE_FIELDS = (
    "connection_id",
    "conn_type",
    "description",
    "host",
    "login",
    "schema",
    "port",
    "password",
    "extra",
)


def _response(ctx: ApiContext, entry: ConnectionEntry) -> ConnectionResponse:
    fields = {
        "connection_id": entry.conn_id,
        "conn_type": entry.conn_type,
        "description": entry.description,
        "host": entry.host,
        "login": entry.login,
        "schema": entry.schema,
        "port": entry.port,
        "password": entry.password,
        "extra": json.dumps(entry.extra) if entry.extra else None,
    }
    return ConnectionResponse.model_validate(fields, context={"masker": ctx.masker})


def _readable(ctx: ApiContext, connection_id: str) -> ConnectionEntry:
    entry = ctx.secrets.connection_entry(connection_id)
    if entry.error is not None:
        raise SecretsError(entry.error)
    return entry


@router.get("", response_model=ConnectionCollectionResponse)
def get_connections(
    ctx: Ctx,
    query: Annotated[ConnectionListQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.CONNECTION_READ))],
) -> ConnectionCollectionResponse:
    page = ctx.secrets.list_connections(
        conn_id_like=like(query.connection_id_pattern),
        order=order_of(query, {"id": "conn_id"}),
        **page_args(query),
    )
    items = [_response(ctx, entry) for entry in page.items]
    return ConnectionCollectionResponse(connections=items, total_entries=page.total)


@router.get("/{connection_id}", response_model=ConnectionResponse)
def get_connection(
    ctx: Ctx, connection_id: str, _: Annotated[Principal, Depends(require(Permission.CONNECTION_READ))]
) -> ConnectionResponse:
    return _response(ctx, _readable(ctx, connection_id))


@router.post("", response_model=ConnectionResponse, status_code=201)
def post_connection(
    ctx: Ctx, body: ConnectionBody, user: Annotated[Principal, Depends(require(Permission.CONNECTION_CREATE))]
) -> ConnectionResponse:
    ctx.secrets.set_connection(_fields(body.model_dump(by_alias=True)), overwrite=False)
    _audit(ctx, "post_connection", user, body.connection_id)
    return _response(ctx, _readable(ctx, body.connection_id))


@router.patch("/{connection_id}", response_model=ConnectionResponse)
def patch_connection(
    ctx: Ctx,
    connection_id: str,
    body: ConnectionBody,
    user: Annotated[Principal, Depends(require(Permission.CONNECTION_EDIT))],
    update_mask: UpdateMask = None,
) -> ConnectionResponse:
    """Change the fields sent (or those in ``update_mask``).

    Unlike Airflow, a password or extra that is not sent is kept rather than erased, and
    ``***`` (what GET shows) keeps the stored secret, in ``password`` or in an ``extra`` key.
    """
    if body.connection_id != connection_id:
        raise InvalidInputError("The connection_id in the request body does not match the URL parameter")
    _update_connection(ctx, body, update_mask)
    _audit(ctx, "patch_connection", user, connection_id)
    return _response(ctx, _readable(ctx, connection_id))


def _update_connection(ctx: ApiContext, body: ConnectionBody, update_mask: list[str] | None) -> None:
    """Write the fields sent (or those in ``update_mask``); ``***`` keeps a stored secret."""
    check_update_mask(update_mask, CONNECTION_PATCHABLE_FIELDS)
    current = _readable(ctx, body.connection_id).fields()
    sent = body.model_dump(by_alias=True, include=body.model_fields_set)
    if update_mask:
        full = body.model_dump(by_alias=True)
        sent = {name: full[name] for name in update_mask if name in full}
    ctx.secrets.set_connection({**current, **_fields(sent, current=current)})


@router.patch("", response_model=BulkResponse)
def bulk_connections(
    ctx: Ctx,
    body: BulkBody[ConnectionBody],
    user: Annotated[Principal, Depends(require(Permission.CONNECTION_EDIT))],
) -> BulkResponse:
    """Airflow's bulk endpoint; writes behave (and are audited) as the single-connection routes."""
    return run_bulk(_bulk_resource(ctx, user), body, user)


def _bulk_resource(ctx: ApiContext, user: Principal) -> BulkResource:
    def existing(connection_ids: Iterable[str]) -> set[str]:
        with ctx.store.transaction(readonly=True) as tx:
            return {conn_id for conn_id in connection_ids if tx.connections.get(conn_id) is not None}

    def create(entity: ConnectionBody) -> None:
        # An overwrite replaces every field, but "***" still keeps the stored secret.
        replaced = existing([entity.connection_id])
        current = _readable(ctx, entity.connection_id).fields() if replaced else None
        ctx.secrets.set_connection(_fields(entity.model_dump(by_alias=True), current=current))
        _audit(ctx, "post_connection", user, entity.connection_id)

    def update(entity: ConnectionBody, update_mask: list[str] | None) -> None:
        _update_connection(ctx, entity, update_mask)
        _audit(ctx, "patch_connection", user, entity.connection_id)

    def delete(connection_id: str) -> None:
        ctx.secrets.delete_connection(connection_id)
        _audit(ctx, "delete_connection", user, connection_id)

    return BulkResource(
        noun="connections with these connection_ids",
        key_of=lambda entity: entity.connection_id,
        existing=existing,
        create=create,
        update=update,
        delete=delete,
        permissions={
            "create": Permission.CONNECTION_CREATE,
            "update": Permission.CONNECTION_EDIT,
            "delete": Permission.CONNECTION_DELETE,
        },
    )


@router.delete("/{connection_id}", status_code=204, response_class=Response)
def delete_connection(
    ctx: Ctx, connection_id: str, user: Annotated[Principal, Depends(require(Permission.CONNECTION_DELETE))]
) -> Response:
    ctx.secrets.delete_connection(connection_id)
    _audit(ctx, "delete_connection", user, connection_id)
    return Response(status_code=204)


def _fields(body: dict[str, Any], *, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """Body fields (wire names) as a connection dict for ``SecretsService``."""
    fields = {("conn_id" if name == "connection_id" else name): value for name, value in body.items()}
    if "extra" in fields:
        extra = json.loads(fields["extra"]) if fields["extra"] else {}
        old_extra = (current or {}).get("extra") or {}
        fields["extra"] = {k: old_extra.get(k, v) if v == MASK else v for k, v in extra.items()}
    if current is not None and fields.get("password") == MASK:
        fields["password"] = current.get("password")
    return fields


def _audit(ctx: ApiContext, event: str, user: Principal, connection_id: str) -> None:
    with ctx.store.transaction() as tx:
        ctx.audit(tx, event, user, extra={"connection_id": connection_id})


__all__ = ["CONNECTION_PATCHABLE_FIELDS", "router"]
