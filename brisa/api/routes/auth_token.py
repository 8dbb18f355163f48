"""``POST /auth/token`` and ``/auth/token/cli``: a JWT for ``Authorization: Bearer``.

Compatible with Airflow 3's simple auth manager: JSON or form body with ``username`` and
``password``, 201 with ``{"access_token": ...}``, 400 when either is empty, 401
``Invalid credentials``, 415 for another content type. Brisa adds 429 with
``Retry-After`` when the login throttle refuses (see :mod:`brisa.api.login`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from brisa.api.context import ApiContext
from brisa.api.login import client_address, log_in
from brisa.api.routes._common import Ctx
from brisa.api.schemas import LoginBody, LoginResponse
from brisa.auth.tokens import issue_token
from brisa.store.repos.users import UserRecord

router = APIRouter(prefix="/auth", tags=["Login"])

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/LoginBody"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/LoginBody"}},
        },
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Username or password missing"},
    401: {"description": "Invalid credentials"},
    415: {"description": "Unsupported Media Type"},
    429: {"description": "Too many failed logins; see Retry-After"},
}


async def login_body(request: Request) -> LoginBody:
    """The body as JSON or as a form (Airflow's ``parse_login_body``)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/json":
            data = await request.json()
        elif content_type == "application/x-www-form-urlencoded":
            form = await request.form()
            data = {"username": form.get("username"), "password": form.get("password")}
        else:
            raise HTTPException(status_code=415, detail="Unsupported Media Type")
        return LoginBody.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    except ValueError:
        malformed = {"loc": ["body"], "msg": "malformed JSON", "type": "json_invalid"}
        raise RequestValidationError([malformed]) from None


def issue_for(ctx: ApiContext, user: UserRecord) -> LoginResponse:
    token = issue_token(
        user.username,
        user.role,
        secret=ctx.secret_key,
        ttl=ctx.token_ttl,
        now=ctx.now(),
        credential_id=user.credential_id,
    )
    with ctx.store.transaction() as tx:
        tx.audit.record("login", now=ctx.now(), owner=user.username, extra={"via": "token"})
    return LoginResponse(access_token=token)


async def token_for(ctx: ApiContext, request: Request, body: LoginBody) -> LoginResponse:
    user = await log_in(ctx, body.username, body.password, client_address(request))
    return await run_in_threadpool(issue_for, ctx, user)


@router.post(
    "/token",
    status_code=201,
    response_model=LoginResponse,
    responses=_ERRORS,
    openapi_extra=_BODY_DOC,
)
async def create_token(
    ctx: Ctx, request: Request, body: Annotated[LoginBody, Depends(login_body)]
) -> LoginResponse:
    return await token_for(ctx, request, body)


@router.post("/token/cli", status_code=201, response_model=LoginResponse, responses=_ERRORS)
async def create_token_cli(ctx: Ctx, request: Request, body: LoginBody) -> LoginResponse:
    return await token_for(ctx, request, body)


__all__ = ["create_token", "create_token_cli", "issue_for", "login_body", "router", "token_for"]
