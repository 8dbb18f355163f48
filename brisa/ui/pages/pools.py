"""``/pools``: pools with the slots tries hold in them; create, edit and delete (Op and Admin).

The same numbers as ``GET /api/v2/pools`` (``pool_fields``): running and queued tries
occupy slots, scheduled ones wait for them. A pool of -1 slots is unlimited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx
from brisa.api.routes.pools import pool_fields
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import ConflictError, InvalidInputError, NotFoundError
from brisa.ui.pages._common import read_form, redirect
from brisa.ui.render import render_page

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(require(Permission.POOL_READ))]
Creator = Annotated[Principal, Depends(require(Permission.POOL_CREATE))]
Editor = Annotated[Principal, Depends(require(Permission.POOL_EDIT))]
Deleter = Annotated[Principal, Depends(require(Permission.POOL_DELETE))]
DEFAULT_POOL = "default_pool"


@router.get("/pools", response_class=HTMLResponse)
def pool_list(ctx: Ctx, request: Request, _: Reader) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        records = tx.pools.list().items
        usage = tx.tis.pool_usage()
    pools = [pool_fields(p, usage.get(p.pool, {})) for p in records]
    return render_page(request, "pools.html", pools=pools, default_pool=DEFAULT_POOL)


@router.get("/pools/new", response_class=HTMLResponse)
def new_pool_form(request: Request, _: Creator) -> Response:
    return _form(request, {"name": "", "slots": "128", "description": ""}, is_new=True)


@router.get("/pools/edit", response_class=HTMLResponse)
def edit_pool_form(ctx: Ctx, request: Request, _: Editor, name: str = "") -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        pool = tx.pools.require(name)
    values = {"name": pool.pool, "slots": str(pool.slots), "description": pool.description or ""}
    return _form(request, values, is_new=False)


def _form(
    request: Request,
    values: dict[str, str],
    *,
    is_new: bool,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request, "pool_form.html", status_code=status_code, values=values, is_new=is_new, error=error
    )


@router.post("/pools/new", response_class=HTMLResponse)
async def create_pool(ctx: Ctx, request: Request, user: Creator) -> Response:
    return await _save(ctx, request, user, is_new=True)


@router.post("/pools/edit", response_class=HTMLResponse)
async def update_pool(ctx: Ctx, request: Request, user: Editor) -> Response:
    return await _save(ctx, request, user, is_new=False)


async def _save(ctx: ApiContext, request: Request, user: Principal, *, is_new: bool) -> Response:
    form = await read_form(request)
    values = {key: form.get(key, "").strip() for key in ("name", "slots", "description")}
    try:
        await run_in_threadpool(_write, ctx, user, values, is_new)
    except (InvalidInputError, ConflictError) as exc:
        return _form(request, values, is_new=is_new, error=str(exc), status_code=400)
    return redirect("/pools")


def _write(ctx: ApiContext, user: Principal, values: dict[str, str], is_new: bool) -> None:
    name, slots = values["name"], _slots(values["slots"])
    if not name:
        raise InvalidInputError("a pool needs a name")
    with ctx.store.transaction() as tx:
        exists = tx.pools.get(name) is not None
        if is_new and exists:
            raise ConflictError(f"The Pool with name: `{name}` already exists")
        if not is_new and not exists:
            raise NotFoundError(f"pool {name!r} not found")
        tx.pools.set(name, slots, values["description"] or None)
        _audit(ctx, tx, "post_pool" if is_new else "patch_pool", user, {"pool": name, "slots": slots})
    ctx.changed()  # a pool created or grown lets waiting tasks queue now


def _slots(text: str) -> int:
    try:
        slots = int(text)
    except ValueError:
        raise InvalidInputError("slots must be a whole number (-1: unlimited)") from None
    if slots < -1:
        raise InvalidInputError("slots must be -1 (unlimited) or more")
    return slots


@router.post("/pools/delete")
async def delete_pool(ctx: Ctx, request: Request, user: Deleter) -> Response:
    form = await read_form(request)
    await run_in_threadpool(_delete, ctx, user, form.get("name", ""))
    return redirect("/pools")


def _delete(ctx: ApiContext, user: Principal, name: str) -> None:
    with ctx.store.transaction() as tx:
        try:
            tx.pools.delete(name)
        except NotFoundError:
            return  # already gone: what the user wanted
        _audit(ctx, tx, "delete_pool", user, {"pool": name})


def _audit(ctx: ApiContext, tx: Any, event: str, user: Principal, extra: dict[str, Any]) -> None:
    ctx.audit(tx, event, user, extra={**extra, "via": "ui"})


__all__ = ["router"]
