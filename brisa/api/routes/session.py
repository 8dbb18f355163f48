"""The browser's login: ``GET/POST /login`` (public) and ``POST /logout``.

A successful login starts a fresh session (signed, HttpOnly, SameSite=Lax cookie, Secure
behind HTTPS) with its own CSRF secret, stored on the server; logging out deletes it.
The login form itself is protected against login CSRF by a double-submit nonce: a random
value in a short-lived cookie that the form must echo, which another site can neither
read nor set.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from brisa.api.context import ApiContext
from brisa.api.errors import LoginThrottled
from brisa.api.login import client_address, log_in
from brisa.api.routes._common import Ctx
from brisa.api.security import (
    LOGIN_CSRF_COOKIE,
    Principal,
    authenticated,
    clear_session_cookie,
    end_session,
    is_https,
    new_login_nonce,
    same_nonce,
    start_session,
)
from brisa.errors import AuthError, InvalidInputError

router = APIRouter(tags=["Session"], include_in_schema=False)

LOGIN_FORM_MAX_AGE = 3600
DEFAULT_NEXT = "/"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//host``, ``\\\\host`` or ``scheme:``, which leave it."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return DEFAULT_NEXT
    return target


def render_login(
    ctx: ApiContext,
    request: Request,
    *,
    next_path: str,
    error: str | None = None,
    username: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    # Reuse the nonce of a login form already open: a background request redirected here
    # (a browser fetching /favicon.ico) must not invalidate the form on screen.
    current = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    nonce = current if _looks_like_nonce(current) else new_login_nonce()
    html = ctx.templates.get_template("login.html").render(
        request=request, next=next_path, error=error, username=username, login_csrf=nonce
    )
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        nonce,
        max_age=LOGIN_FORM_MAX_AGE,
        path="/login",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )
    return response


def _looks_like_nonce(value: str) -> bool:
    return 24 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    ctx: Ctx, request: Request, next_path: Annotated[str, Query(alias="next")] = DEFAULT_NEXT
) -> Response:
    principal = getattr(request.state, "principal", None)
    if principal is not None and principal.via == "session":
        return RedirectResponse(safe_next(next_path), status_code=303)
    return render_login(ctx, request, next_path=safe_next(next_path))


@router.post("/login", response_class=HTMLResponse)
async def login_submit(ctx: Ctx, request: Request) -> Response:
    form = await request.form()
    fields: dict[str, Any] = {
        k: str(form.get(k) or "") for k in ("username", "password", "next", "login_csrf")
    }
    next_path = safe_next(fields["next"])
    if not same_nonce(request.cookies.get(LOGIN_CSRF_COOKIE), fields["login_csrf"]):
        return render_login(
            ctx,
            request,
            next_path=next_path,
            error="The login form expired; please try again.",
            status_code=403,
        )
    try:
        user = await log_in(ctx, fields["username"], fields["password"], client_address(request))
    except LoginThrottled as exc:
        wait = max(1, math.ceil(exc.retry_after))
        message = f"Too many failed attempts; try again in {wait} s."
        return render_login(
            ctx,
            request,
            next_path=next_path,
            error=message,
            username=fields["username"],
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    except (AuthError, InvalidInputError) as exc:
        status = 400 if isinstance(exc, InvalidInputError) else 401
        return render_login(
            ctx, request, next_path=next_path, error=str(exc), username=fields["username"], status_code=status
        )
    response = RedirectResponse(next_path, status_code=303)
    previous = getattr(request.state, "principal", None)
    if previous is not None:  # logging in again in this browser: its old session ends
        await run_in_threadpool(end_session, ctx, previous)
    await run_in_threadpool(start_session, ctx, response, request, user.id)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    await run_in_threadpool(_audit, ctx, "login", user.username)
    return response


@router.post("/logout")
def logout(ctx: Ctx, request: Request, user: Annotated[Principal, Depends(authenticated)]) -> Response:
    end_session(ctx, user)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, request)
    _audit(ctx, "logout", user.username)
    return response


def _audit(ctx: ApiContext, event: str, username: str) -> None:
    with ctx.store.transaction() as tx:
        tx.audit.record(event, now=ctx.now(), owner=username, extra={"via": "session"})


__all__ = ["render_login", "router", "safe_next"]
