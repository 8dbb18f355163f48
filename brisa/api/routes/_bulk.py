"""Airflow's bulk ``PATCH`` (variables, connections): one driver, the resource's operations.

Each action runs on its own and reports its keys and errors. An action that would create
an existing key (``action_on_existence=fail``) or touch a missing one
(``action_on_non_existence=fail``) writes nothing and reports one error, as Airflow does,
so a client can fix and resend that action alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from brisa.api.schemas import (
    BulkActionResponse,
    BulkBody,
    BulkCreateAction,
    BulkResponse,
    BulkUpdateAction,
)
from brisa.api.security import Principal
from brisa.auth.roles import Permission
from brisa.errors import PermissionDenied


@dataclass(frozen=True)
class BulkResource:
    """What the driver needs of a resource; entities are its request bodies."""

    noun: str
    """As in Airflow's messages: ``"variables with these keys"``."""
    key_of: Callable[[Any], str]
    existing: Callable[[Iterable[str]], set[str]]
    create: Callable[[Any], None]
    """Write a new entity, or overwrite an existing one."""
    update: Callable[[Any, list[str] | None], None]
    delete: Callable[[str], None]
    permissions: dict[str, Permission]
    """``create``/``update``/``delete`` -> the permission that action needs."""


def run_bulk(resource: BulkResource, body: BulkBody[Any], user: Principal) -> BulkResponse:
    _check_permissions(resource, body, user)
    response = BulkResponse()
    for action in body.actions:
        if isinstance(action, BulkCreateAction):
            result = _create(resource, action)
        elif isinstance(action, BulkUpdateAction):
            result = _update(resource, action)
        else:
            keys = [_key(resource, entity) for entity in action.entities]
            result = _delete(resource, keys, action.action_on_non_existence)
        _merge(response, action.action, result)
    return response


def _key(resource: BulkResource, entity: Any) -> str:
    """A delete names its entities by key or by a whole body."""
    return entity if isinstance(entity, str) else resource.key_of(entity)


def _check_permissions(resource: BulkResource, body: BulkBody[Any], user: Principal) -> None:
    # The route asks for the edit permission; creating and deleting need their own.
    for action in body.actions:
        permission = resource.permissions[action.action]
        if not user.can(permission):
            verb, name = permission.value
            raise PermissionDenied(f"Forbidden: the {user.role.value} role does not have {verb} on {name}")


def _merge(response: BulkResponse, kind: str, result: BulkActionResponse) -> None:
    """Several actions of one kind in a request add up in the same entry."""
    current = getattr(response, kind)
    if current is None:
        setattr(response, kind, result)
    else:
        current.success.extend(result.success)
        current.errors.extend(result.errors)


def _error(message: str, status_code: int) -> BulkActionResponse:
    return BulkActionResponse(errors=[{"error": message, "status_code": status_code}])


def _create(resource: BulkResource, action: BulkCreateAction[Any]) -> BulkActionResponse:
    existing = resource.existing(resource.key_of(entity) for entity in action.entities)
    if existing and action.action_on_existence == "fail":
        return _error(f"The {resource.noun}: {sorted(existing)} already exist.", 409)
    result = BulkActionResponse()
    for entity in action.entities:
        key = resource.key_of(entity)
        if key in existing and action.action_on_existence == "skip":
            continue
        resource.create(entity)
        result.success.append(key)
    return result


def _update(resource: BulkResource, action: BulkUpdateAction[Any]) -> BulkActionResponse:
    keys = [resource.key_of(entity) for entity in action.entities]
    missing = set(keys) - resource.existing(keys)
    if missing and action.action_on_non_existence == "fail":
        return _error(f"The {resource.noun}: {sorted(missing)} were not found.", 404)
    result = BulkActionResponse()
    for entity, key in zip(action.entities, keys, strict=True):
        if key not in missing:
            resource.update(entity, action.update_mask)
            result.success.append(key)
    return result


def _delete(resource: BulkResource, keys: list[str], on_missing: str) -> BulkActionResponse:
    missing = set(keys) - resource.existing(keys)
    if missing and on_missing == "fail":
        return _error(f"The {resource.noun}: {sorted(missing)} were not found.", 404)
    result = BulkActionResponse()
    for key in keys:
        if key not in missing:
            resource.delete(key)
            result.success.append(key)
    return result


__all__ = ["BulkResource", "run_bulk"]
