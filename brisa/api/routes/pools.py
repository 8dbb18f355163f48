"""``/api/v2/pools``: slot budgets and how many slots tries hold in each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from brisa.api.routes._common import Ctx, UpdateMask, like, order_of, page_args
from brisa.api.schemas import (
    PoolBody,
    PoolCollectionResponse,
    PoolListQuery,
    PoolPatchBody,
    PoolResponse,
    check_update_mask,
    fields_to_update,
)
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import ConflictError, InvalidInputError
from brisa.states import TaskState
from brisa.store.records import PoolRecord

router = APIRouter(prefix="/api/v2/pools", tags=["Pool"])

POOL_PATCHABLE_FIELDS = ("pool", "name", "slots", "description", "include_deferred")


def pool_fields(pool: PoolRecord, usage: Mapping[str, int]) -> dict:
    """``PoolResponse``'s fields; ``usage`` is the slots held by state (``tx.tis.pool_usage()``)."""
    running = usage.get(TaskState.RUNNING.value, 0)
    queued = usage.get(TaskState.QUEUED.value, 0)
    occupied = running + queued
    return {
        "name": pool.pool,
        "slots": pool.slots,
        "description": pool.description,
        "include_deferred": False,
        "occupied_slots": occupied,
        "running_slots": running,
        "queued_slots": queued,
        "scheduled_slots": usage.get(TaskState.SCHEDULED.value, 0),
        "open_slots": -1 if pool.slots == -1 else pool.slots - occupied,
        "deferred_slots": usage.get(TaskState.DEFERRED.value, 0),  # not occupied: include_deferred is off
    }


def _response(ctx: Ctx, name: str) -> PoolResponse:
    with ctx.store.transaction(readonly=True) as tx:
        pool = tx.pools.require(name)
        usage = tx.tis.pool_usage().get(name, {})
    return PoolResponse.model_validate(pool_fields(pool, usage))


@router.get("", response_model=PoolCollectionResponse)
def get_pools(
    ctx: Ctx,
    query: Annotated[PoolListQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.POOL_READ))],
) -> PoolCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        page = tx.pools.search(
            name_like=like(query.pool_name_pattern), order=order_of(query, {"id": "pool"}), **page_args(query)
        )
        usage = tx.tis.pool_usage()
    pools = [pool_fields(pool, usage.get(pool.pool, {})) for pool in page.items]
    return PoolCollectionResponse.model_validate({"pools": pools, "total_entries": page.total})


@router.get("/{pool_name}", response_model=PoolResponse)
def get_pool(
    ctx: Ctx, pool_name: str, _: Annotated[Principal, Depends(require(Permission.POOL_READ))]
) -> PoolResponse:
    return _response(ctx, pool_name)


@router.post("", response_model=PoolResponse, status_code=201)
def post_pool(
    ctx: Ctx, body: PoolBody, user: Annotated[Principal, Depends(require(Permission.POOL_CREATE))]
) -> PoolResponse:
    with ctx.store.transaction() as tx:
        if tx.pools.get(body.name) is not None:
            raise ConflictError(f"The Pool with name: `{body.name}` already exists")
        tx.pools.set(body.name, body.slots, body.description)
        ctx.audit(tx, "post_pool", user, extra={"pool": body.name, "slots": body.slots})
    return _response(ctx, body.name)


@router.patch("/{pool_name}", response_model=PoolResponse)
def patch_pool(
    ctx: Ctx,
    pool_name: str,
    body: PoolPatchBody,
    user: Annotated[Principal, Depends(require(Permission.POOL_EDIT))],
    update_mask: UpdateMask = None,
) -> PoolResponse:
    """Change slots and description; renaming a pool is not supported (400)."""
    check_update_mask(update_mask, POOL_PATCHABLE_FIELDS)
    changes = fields_to_update(body, update_mask, sent_only=True)
    if changes.get("pool") not in (None, pool_name):
        raise InvalidInputError("Brisa cannot rename a pool: create a new one and move the tasks")
    with ctx.store.transaction() as tx:
        pool = tx.pools.require(pool_name)
        slots = pool.slots if changes.get("slots") is None else changes["slots"]
        description = changes.get("description", pool.description)
        tx.pools.set(pool_name, slots, description)
        ctx.audit(tx, "patch_pool", user, extra={"pool": pool_name, **changes})
    ctx.changed()
    return _response(ctx, pool_name)


@router.delete("/{pool_name}", status_code=204, response_class=Response)
def delete_pool(
    ctx: Ctx, pool_name: str, user: Annotated[Principal, Depends(require(Permission.POOL_DELETE))]
) -> Response:
    with ctx.store.transaction() as tx:
        tx.pools.delete(pool_name)
        ctx.audit(tx, "delete_pool", user, extra={"pool": pool_name})
    return Response(status_code=204)


__all__ = ["POOL_PATCHABLE_FIELDS", "pool_fields", "router"]
