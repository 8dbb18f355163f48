"""``/users``: who may log in (Admin only): create, change role, reset password, delete.

The rules are ``brisa users``': :class:`~brisa.auth.users.UserSpec` validates a new user,
:func:`~brisa.auth.users.check_password` a new password, usernames are unique without
regard to case. An admin cannot demote or delete themselves, so the UI never locks out
the person using it. Passwords are hashed with the app's argon2 hasher.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx
from brisa.api.security import Principal, require
from brisa.auth.passwords import hash_password
from brisa.auth.roles import Permission, Role
from brisa.auth.users import UserSpec, check_password, username_key
from brisa.errors import ConflictError, InvalidInputError
from brisa.ui.pages._common import PAGE_SIZE, Pager, read_form, redirect
from brisa.ui.render import render_page

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.USER_READ))]
Creator = Annotated[Principal, Depends(require(Permission.USER_CREATE))]
Editor = Annotated[Principal, Depends(require(Permission.USER_EDIT))]
Deleter = Annotated[Principal, Depends(require(Permission.USER_DELETE))]
ROLES = tuple(role.value for role in Role)
NEW_USER_FIELDS = ("username", "email", "first_name", "last_name", "role")


@router.get("/users", response_class=HTMLResponse)
def user_list(
    ctx: Ctx, request: Request, _: Reader, page: Annotated[int, Query(ge=1)] = 1, error: str | None = None
) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        found = tx.users.list(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_page(
        request,
        "users.html",
        users=found.items,
        pager=Pager(page, PAGE_SIZE, found.total),
        roles=ROLES,
        error=error,
    )


@router.get("/users/new", response_class=HTMLResponse)
def new_user_form(request: Request, _: Creator) -> Response:
    return render_page(request, "user_form.html", values={"role": Role.VIEWER.value}, roles=ROLES, error=None)


@router.post("/users/new", response_class=HTMLResponse)
async def create_user(ctx: Ctx, request: Request, user: Creator) -> Response:
    form = await read_form(request)
    try:
        await run_in_threadpool(_create, ctx, user, form)
    except (InvalidInputError, ConflictError) as exc:
        values = {name: form.get(name, "") for name in NEW_USER_FIELDS}
        return render_page(
            request, "user_form.html", status_code=400, values=values, roles=ROLES, error=str(exc)
        )
    return redirect("/users")


def _create(ctx: ApiContext, admin: Principal, form: dict[str, str]) -> None:
    spec = UserSpec(
        username=form.get("username", "").strip(),
        role=form.get("role", ""),  # type: ignore[arg-type]  # UserSpec parses it
        password=form.get("password", ""),
        email=form.get("email", "").strip() or None,
        first_name=form.get("first_name", "").strip(),
        last_name=form.get("last_name", "").strip(),
    )
    password_hash = hash_password(spec.password, hasher=ctx.hasher)
    with ctx.store.transaction() as tx:
        if any(username_key(u.username) == username_key(spec.username) for u in tx.users.list().items):
            raise ConflictError(f"user {spec.username!r} already exists")
        tx.users.create(
            username=spec.username,
            email=spec.email or "",
            role=spec.role.value,
            password_hash=password_hash,
            now=ctx.now(),
            first_name=spec.first_name,
            last_name=spec.last_name,
        )
        ctx.audit(tx, "create_user", admin, extra={"username": spec.username, "role": spec.role.value})


Action = Callable[[ApiContext, Principal, dict[str, str]], None]


async def _act(request: Request, action: Action, ctx: ApiContext, user: Principal) -> Response:
    """Run a list-page action; its InvalidInputError is shown at the top of the list."""
    form = await read_form(request)
    try:
        await run_in_threadpool(action, ctx, user, form)
    except InvalidInputError as exc:
        response = await run_in_threadpool(user_list, ctx, request, user, 1, str(exc))
        response.status_code = 400
        return response
    return redirect("/users")


@router.post("/users/role", response_class=HTMLResponse)
async def change_role(ctx: Ctx, request: Request, user: Editor) -> Response:
    return await _act(request, _change_role, ctx, user)


def _change_role(ctx: ApiContext, admin: Principal, form: dict[str, str]) -> None:
    username, role = form.get("username", ""), Role.parse(form.get("role", ""))
    if username_key(username) == username_key(admin.username) and role != admin.role:
        raise InvalidInputError("You cannot change your own role.")
    with ctx.store.transaction() as tx:
        tx.users.update(username, role=role.value)
        ctx.audit(tx, "update_user_role", admin, extra={"username": username, "role": role.value})


@router.post("/users/password", response_class=HTMLResponse)
async def reset_password(ctx: Ctx, request: Request, user: Editor) -> Response:
    return await _act(request, _reset_password, ctx, user)


def _reset_password(ctx: ApiContext, admin: Principal, form: dict[str, str]) -> None:
    username, password = form.get("username", ""), form.get("password", "")
    check_password(password, username=username)
    password_hash = hash_password(password, hasher=ctx.hasher)
    with ctx.store.transaction() as tx:
        tx.users.set_password(username, password_hash)
        ctx.audit(tx, "reset_user_password", admin, extra={"username": username})


@router.post("/users/delete", response_class=HTMLResponse)
async def delete_user(ctx: Ctx, request: Request, user: Deleter) -> Response:
    return await _act(request, _delete, ctx, user)


def _delete(ctx: ApiContext, admin: Principal, form: dict[str, str]) -> None:
    username = form.get("username", "")
    if username_key(username) == username_key(admin.username):
        raise InvalidInputError("You cannot delete yourself.")
    with ctx.store.transaction() as tx:
        tx.users.delete(username)
        ctx.audit(tx, "delete_user", admin, extra={"username": username})


__all__ = ["ROLES", "router"]
