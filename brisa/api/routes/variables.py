"""``/api/v2/variables``: CRUD through ``SecretsService`` (values stored encrypted, shown masked)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from brisa.api.context import ApiContext
from brisa.api.routes._bulk import BulkResource, run_bulk
from brisa.api.routes._common import Ctx, UpdateMask, like, order_of, page_args
from brisa.api.schemas import (
    MASK,
    BulkBody,
    BulkResponse,
    VariableBody,
    VariableCollectionResponse,
    VariableListQuery,
    VariableResponse,
    check_update_mask,
    fields_to_update,
)
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import InvalidInputError, SecretsError
from brisa.secrets.views import VariableEntry

router = APIRouter(prefix="/api/v2/variables", tags=["Variable"])

VARIABLE_PATCHABLE_FIELDS = ("key", "value", "description")


def _response(ctx: ApiContext, entry: VariableEntry) -> VariableResponse:
    """The entry as Airflow shows it; a value no key decrypts is shown as an empty string."""
    fields = {
        "key": entry.key,
        "value": entry.value or "",
        "description": entry.description,
        "is_encrypted": entry.is_encrypted,
    }
    return VariableResponse.model_validate(fields, context={"masker": ctx.masker})


@router.get("", response_model=VariableCollectionResponse)
def get_variables(
    ctx: Ctx,
    query: Annotated[VariableListQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.VARIABLE_READ))],
) -> VariableCollectionResponse:
    page = ctx.secrets.list_variables(
        key_like=like(query.variable_key_pattern),
        order=order_of(query, {"id": "key", "value": "val"}),
        **page_args(query),
    )
    items = [_response(ctx, entry) for entry in page.items]
    return VariableCollectionResponse(variables=items, total_entries=page.total)


@router.get("/{variable_key:path}", response_model=VariableResponse)
def get_variable(
    ctx: Ctx, variable_key: str, _: Annotated[Principal, Depends(require(Permission.VARIABLE_READ))]
) -> VariableResponse:
    return _response(ctx, _readable(ctx, variable_key))


def _readable(ctx: ApiContext, key: str) -> VariableEntry:
    entry = ctx.secrets.variable_entry(key)
    if entry.error is not None:
        raise SecretsError(entry.error)
    return entry


@router.post("", response_model=VariableResponse, status_code=201)
def post_variable(
    ctx: Ctx, body: VariableBody, user: Annotated[Principal, Depends(require(Permission.VARIABLE_CREATE))]
) -> VariableResponse:
    ctx.secrets.set_variable(body.key, body.stored_value(), body.description, overwrite=False)
    _audit(ctx, "post_variable", user, body.key)
    return _response(ctx, _readable(ctx, body.key))


@router.patch("/{variable_key:path}", response_model=VariableResponse)
def patch_variable(
    ctx: Ctx,
    variable_key: str,
    body: VariableBody,
    user: Annotated[Principal, Depends(require(Permission.VARIABLE_EDIT))],
    update_mask: UpdateMask = None,
) -> VariableResponse:
    """Replace the value and description (or only the ``update_mask`` fields).

    A value of exactly ``***`` (what GET shows for a masked value) keeps the stored one,
    so a client that sends back what it read does not overwrite a secret with the mask.
    """
    if body.key != variable_key:
        raise InvalidInputError("Invalid body, key from request body doesn't match uri parameter")
    check_update_mask(update_mask, VARIABLE_PATCHABLE_FIELDS)
    _update_variable(ctx, body, update_mask)
    _audit(ctx, "patch_variable", user, variable_key)
    return _response(ctx, _readable(ctx, variable_key))


def _update_variable(ctx: ApiContext, body: VariableBody, update_mask: list[str] | None) -> None:
    """Write the PATCH of ``body.key``; a value of ``***`` keeps the stored one."""
    changes = fields_to_update(body, update_mask)
    keeps_value = "value" not in changes or body.value == MASK
    current = _readable(ctx, body.key) if keeps_value else ctx.secrets.variable_entry(body.key)
    value = (current.value or "") if keeps_value else body.stored_value()
    ctx.secrets.set_variable(body.key, value, changes.get("description", current.description))


@router.delete("/{variable_key:path}", status_code=204, response_class=Response)
def delete_variable(
    ctx: Ctx, variable_key: str, user: Annotated[Principal, Depends(require(Permission.VARIABLE_DELETE))]
) -> Response:
    ctx.secrets.delete_variable(variable_key)
    _audit(ctx, "delete_variable", user, variable_key)
    return Response(status_code=204)


@router.patch("", response_model=BulkResponse)
def bulk_variables(
    ctx: Ctx,
    body: BulkBody[VariableBody],
    user: Annotated[Principal, Depends(require(Permission.VARIABLE_EDIT))],
) -> BulkResponse:
    """Airflow's bulk endpoint; writes behave (and are audited) as the single-variable routes."""
    return run_bulk(_bulk_resource(ctx, user), body, user)


def _bulk_resource(ctx: ApiContext, user: Principal) -> BulkResource:
    def existing(keys: Iterable[str]) -> set[str]:
        with ctx.store.transaction(readonly=True) as tx:
            return {key for key in keys if tx.variables.get(key) is not None}

    def create(entity: VariableBody) -> None:
        if existing([entity.key]):  # an overwrite: "***" keeps the stored value, as PATCH
            _update_variable(ctx, entity, None)
        else:
            ctx.secrets.set_variable(entity.key, entity.stored_value(), entity.description)
        _audit(ctx, "post_variable", user, entity.key)

    def update(entity: VariableBody, update_mask: list[str] | None) -> None:
        check_update_mask(update_mask, VARIABLE_PATCHABLE_FIELDS)
        _update_variable(ctx, entity, update_mask)
        _audit(ctx, "patch_variable", user, entity.key)

    def delete(key: str) -> None:
        ctx.secrets.delete_variable(key)
        _audit(ctx, "delete_variable", user, key)

    return BulkResource(
        noun="variables with these keys",
        key_of=lambda entity: entity.key,
        existing=existing,
        create=create,
        update=update,
        delete=delete,
        permissions={
            "create": Permission.VARIABLE_CREATE,
            "update": Permission.VARIABLE_EDIT,
            "delete": Permission.VARIABLE_DELETE,
        },
    )


def _audit(ctx: ApiContext, event: str, user: Principal, key: str) -> None:
    with ctx.store.transaction() as tx:
        ctx.audit(tx, event, user, extra={"key": key})


__all__ = ["VARIABLE_PATCHABLE_FIELDS", "router"]
