"""``/api/v2/variables``: CRUD through ``SecretsService`` (values stored encrypted, shown masked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx, UpdateMask, like, order_of, page_args
from brisa.api.schemas import (
    MASK,
    BulkActionResponse,
    BulkBody,
    BulkCreateAction,
    BulkDeleteAction,
    BulkResponse,
    BulkUpdateAction,
    VariableBody,
    VariableCollectionResponse,
    VariableListQuery,
    VariableResponse,
    check_update_mask,
    fields_to_update,
)
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import InvalidInputError, PermissionDenied, SecretsError
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


@router.patch("", response_model=BulkResponse, response_model_exclude_none=False)
def bulk_variables(
    ctx: Ctx,
    body: BulkBody[VariableBody],
    user: Annotated[Principal, Depends(require(Permission.VARIABLE_EDIT))],
) -> BulkResponse:
    """Airflow's bulk endpoint: each action runs on its own and reports its keys and errors.

    An action that would create an existing key (``action_on_existence=fail``) or touch a
    missing one (``action_on_non_existence=fail``) writes nothing and reports one error,
    as Airflow does, so a client can retry it alone.
    """
    _check_bulk_permissions(user, body)
    response = BulkResponse()
    for action in body.actions:
        if isinstance(action, BulkCreateAction):
            result = _bulk_create(ctx, user, action)
        elif isinstance(action, BulkUpdateAction):
            result = _bulk_update(ctx, user, action)
        else:
            result = _bulk_delete(ctx, user, action)
        _merge(response, action.action, result)
    return response


BULK_PERMISSIONS = {
    "create": Permission.VARIABLE_CREATE,
    "update": Permission.VARIABLE_EDIT,
    "delete": Permission.VARIABLE_DELETE,
}


def _check_bulk_permissions(user: Principal, body: BulkBody[VariableBody]) -> None:
    # The route asks for VARIABLE_EDIT; creating and deleting need their own permission.
    for action in body.actions:
        permission = BULK_PERMISSIONS[action.action]
        if not user.can(permission):
            verb, resource = permission.value
            role = user.role.value
            raise PermissionDenied(f"Forbidden: the {role} role does not have {verb} on {resource}")


def _merge(response: BulkResponse, kind: str, result: BulkActionResponse) -> None:
    """Several actions of one kind in a request add up in the same entry."""
    current = getattr(response, kind)
    if current is None:
        setattr(response, kind, result)
    else:
        current.success.extend(result.success)
        current.errors.extend(result.errors)


def _existing_keys(ctx: ApiContext, keys: list[str]) -> set[str]:
    with ctx.store.transaction(readonly=True) as tx:
        return {key for key in keys if tx.variables.get(key) is not None}


def _bulk_error(message: str, status_code: int) -> BulkActionResponse:
    return BulkActionResponse(errors=[{"error": message, "status_code": status_code}])


def _bulk_create(
    ctx: ApiContext, user: Principal, action: BulkCreateAction[VariableBody]
) -> BulkActionResponse:
    existing = _existing_keys(ctx, [entity.key for entity in action.entities])
    if existing and action.action_on_existence == "fail":
        return _bulk_error(f"The variables with these keys: {sorted(existing)} already exist.", 409)
    result = BulkActionResponse()
    for entity in action.entities:
        if entity.key in existing and action.action_on_existence == "skip":
            continue
        ctx.secrets.set_variable(entity.key, entity.stored_value(), entity.description)
        _audit(ctx, "post_variable", user, entity.key)
        result.success.append(entity.key)
    return result


def _bulk_update(
    ctx: ApiContext, user: Principal, action: BulkUpdateAction[VariableBody]
) -> BulkActionResponse:
    keys = [entity.key for entity in action.entities]
    missing = set(keys) - _existing_keys(ctx, keys)
    if missing and action.action_on_non_existence == "fail":
        return _bulk_error(f"The variables with these keys: {sorted(missing)} were not found.", 404)
    check_update_mask(action.update_mask, VARIABLE_PATCHABLE_FIELDS)
    result = BulkActionResponse()
    for entity in action.entities:
        if entity.key in missing:
            continue
        _update_variable(ctx, entity, action.update_mask)
        _audit(ctx, "patch_variable", user, entity.key)
        result.success.append(entity.key)
    return result


def _bulk_delete(
    ctx: ApiContext, user: Principal, action: BulkDeleteAction[VariableBody]
) -> BulkActionResponse:
    keys = [entity if isinstance(entity, str) else entity.key for entity in action.entities]
    missing = set(keys) - _existing_keys(ctx, keys)
    if missing and action.action_on_non_existence == "fail":
        return _bulk_error(f"The variables with these keys: {sorted(missing)} were not found.", 404)
    result = BulkActionResponse()
    for key in keys:
        if key in missing:
            continue
        ctx.secrets.delete_variable(key)
        _audit(ctx, "delete_variable", user, key)
        result.success.append(key)
    return result


def _audit(ctx: ApiContext, event: str, user: Principal, key: str) -> None:
    with ctx.store.transaction() as tx:
        ctx.audit(tx, event, user, extra={"key": key})


__all__ = ["VARIABLE_PATCHABLE_FIELDS", "router"]
