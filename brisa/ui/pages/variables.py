"""``/variables``: list, create, edit and delete variables (Op and Admin).

Values are shown masked (``SecretsMasker``: the whole value of a sensitive key, the
sensitive keys of a JSON value, registered secrets in text). The edit form shows the
same masked value; saving it unchanged keeps the stored value, so a masked secret is
never written back as ``***``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx
from brisa.api.schemas import like_pattern
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import ConflictError, InvalidInputError, NotFoundError, SecretsError
from brisa.secrets.views import VariableEntry
from brisa.ui.pages._common import PAGE_SIZE, Pager, read_form, redirect
from brisa.ui.render import render_page

router = APIRouter(include_in_schema=False)


Reader = Annotated[Principal, Depends(require(Permission.VARIABLE_READ))]
Creator = Annotated[Principal, Depends(require(Permission.VARIABLE_CREATE))]
Editor = Annotated[Principal, Depends(require(Permission.VARIABLE_EDIT))]
Deleter = Annotated[Principal, Depends(require(Permission.VARIABLE_DELETE))]


def normalize_newlines(text: str) -> str:
    """Browsers send text areas with CRLF line ends."""
    return text.replace("\r\n", "\n")


@router.get("/variables", response_class=HTMLResponse)
def variable_list(
    ctx: Ctx,
    request: Request,
    _: Reader,
    q: Annotated[str, Query(max_length=250)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    found = ctx.secrets.list_variables(
        key_like=like_pattern(q.strip()) if q.strip() else None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    entries = [entry.masked(ctx.masker) for entry in found.items]
    pager = Pager(page, PAGE_SIZE, found.total)
    return render_page(request, "variables.html", entries=entries, pager=pager, q=q)


@router.get("/variables/new", response_class=HTMLResponse)
def new_variable_form(request: Request, _: Creator) -> Response:
    return _form(request, key="", value="", description="", is_new=True)


@router.get("/variables/edit", response_class=HTMLResponse)
def edit_variable_form(ctx: Ctx, request: Request, _: Editor, key: str = "") -> Response:
    entry = _entry(ctx, key)
    shown = entry.masked(ctx.masker)
    return _form(request, key=key, value=shown.value or "", description=entry.description or "", is_new=False)


def _form(
    request: Request,
    *,
    key: str,
    value: str,
    description: str,
    is_new: bool,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render_page(
        request,
        "variable_form.html",
        status_code=status_code,
        key=key,
        value=value,
        description=description,
        is_new=is_new,
        error=error,
    )


def _entry(ctx: ApiContext, key: str) -> VariableEntry:
    entry = ctx.secrets.variable_entry(key)
    if entry.error:
        raise SecretsError(entry.error)
    return entry


@router.post("/variables/new", response_class=HTMLResponse)
async def create_variable(ctx: Ctx, request: Request, user: Creator) -> Response:
    form = await read_form(request)
    key, value = form.get("key", "").strip(), normalize_newlines(form.get("value", ""))
    description = form.get("description", "").strip() or None
    try:
        await run_in_threadpool(_create, ctx, user, key, value, description)
    except (InvalidInputError, ConflictError) as exc:
        shown = {"key": key, "value": value, "description": description or ""}
        return _form(request, **shown, is_new=True, error=str(exc), status_code=400)
    return redirect("/variables")


def _create(ctx: ApiContext, user: Principal, key: str, value: str, description: str | None) -> None:
    ctx.secrets.set_variable(key, value, description, overwrite=False)
    _audit(ctx, "post_variable", user, key)


@router.post("/variables/edit", response_class=HTMLResponse)
async def update_variable(ctx: Ctx, request: Request, user: Editor) -> Response:
    form = await read_form(request)
    key = form.get("key", "")
    value = normalize_newlines(form.get("value", ""))
    description = form.get("description", "").strip() or None
    await run_in_threadpool(_update, ctx, user, key, value, description)
    return redirect("/variables")


def _update(ctx: ApiContext, user: Principal, key: str, value: str, description: str | None) -> None:
    entry = _entry(ctx, key)
    masked = entry.masked(ctx.masker).value
    if value == masked and masked != entry.value:
        value = entry.value or ""  # the masked text came back unchanged: keep the secret
    ctx.secrets.set_variable(key, value, description)
    _audit(ctx, "patch_variable", user, key)


@router.post("/variables/delete")
async def delete_variable(ctx: Ctx, request: Request, user: Deleter) -> Response:
    form = await read_form(request)
    key = form.get("key", "")
    await run_in_threadpool(_delete, ctx, user, key)
    return redirect("/variables")


def _delete(ctx: ApiContext, user: Principal, key: str) -> None:
    try:
        ctx.secrets.delete_variable(key)
    except NotFoundError:
        return  # already gone: what the user wanted
    _audit(ctx, "delete_variable", user, key)


def _audit(ctx: ApiContext, event: str, user: Principal, key: str) -> None:
    with ctx.store.transaction() as tx:
        ctx.audit(tx, event, user, extra={"key": key, "via": "ui"})


__all__ = ["normalize_newlines", "router"]
