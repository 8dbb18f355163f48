"""Who is calling, whether they may, and CSRF: deny by default.

Three layers, so that a route added later cannot be open by mistake:

1. :class:`AuthMiddleware` runs before routing. It resolves the caller from a bearer
   token (``Authorization: Bearer <jwt>`` from ``POST /auth/token``) or the session
   cookie, and refuses every request without one unless the path is public
   (:data:`PUBLIC_PATHS`, ``/static/``): 401 for API paths, a redirect to ``/login``
   for pages. For a caller authenticated by cookie it also refuses unsafe methods
   (POST, PUT, PATCH, DELETE) without a valid CSRF token, sent in the ``X-CSRF-Token``
   header or, for an HTML form, the ``csrf_token`` field. Bearer callers need none:
   browsers never attach that header on their own.
2. Each route declares what it needs with ``Depends(require(Permission.X))`` (or
   :data:`authenticated`), which answers 403 when the caller's role lacks it.
3. :func:`check_routes` (called by ``create_app``) refuses to build an app in which a
   non-public route declares neither.

The role comes from the user's row at each request, not from the token, so a deleted,
deactivated or demoted user loses access at once. A token must carry the user's current
credential id (changed by a password reset; a re-created user has another), and a cookie
must name a session row that still exists (deleted by logout, a reset or the user's
deletion): see docs/security.md.
"""

from __future__ import annotations

import hmac
import secrets as _random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Request, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from brisa.api.context import ApiContext
from brisa.api.errors import error_response
from brisa.auth.roles import Permission, Role, has_permission
from brisa.auth.sessions import (
    CSRF_FORM_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE_NAME,
    SessionData,
    cookie_params,
    csrf_token,
    decode_session,
    encode_session,
    is_safe_method,
    new_session,
    request_is_https,
    verify_csrf_token,
)
from brisa.auth.tokens import TokenClaims, verify_token
from brisa.errors import (
    AuthError,
    BrisaError,
    ConfigError,
    InvalidInputError,
    PermissionDenied,
    RequestTooLarge,
)
from brisa.store.repos.users import UserRecord

PUBLIC_PATHS = frozenset(
    {"/api/v2/monitor/health", "/api/v2/version", "/auth/token", "/auth/token/cli", "/login", "/openapi.json"}
)
"""Reachable without credentials; see docs/web.md for why each is."""
PUBLIC_PREFIXES = ("/static/",)
MAX_FORM_BYTES = 1 << 20
"""Largest form body read to find its CSRF field (a page's form, not an upload)."""
LOGIN_CSRF_COOKIE = "brisa_login_csrf"

bearer_scheme = HTTPBearer(auto_error=False, description="A token from POST /auth/token")
"""Declares the bearer scheme in /openapi.json; the middleware does the checking."""


@dataclass(frozen=True)
class Principal:
    """The caller: a stored, active user, and how they proved it."""

    user_id: int
    username: str
    role: Role
    via: str
    """``token`` (bearer JWT) or ``session`` (cookie)."""
    session: SessionData | None = None

    def can(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


# --- resolving the caller -------------------------------------------------------------------


def resolve_principal(ctx: ApiContext, authorization: str | None, cookie: str | None) -> Principal:
    """The caller behind a request's credentials, or AuthError saying why there is none."""
    now = ctx.now()
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Not authenticated: use 'Authorization: Bearer <token>' from POST /auth/token")
        claims = verify_token(token.strip(), secret=ctx.secret_key, now=now)
        return _token_user(ctx, claims)
    if cookie:
        session = decode_session(cookie, secret=ctx.secret_key, now=now, max_age=ctx.session_max_age)
        return _session_user(ctx, session)
    raise AuthError("Not authenticated")


def _token_user(ctx: ApiContext, claims: TokenClaims) -> Principal:
    with ctx.store.transaction(readonly=True) as tx:
        user = tx.users.get(claims.username)
    if user is not None and not _same_credentials(claims.credential_id, user.credential_id):
        raise AuthError("Not authenticated: the token was revoked (password reset or user re-created)")
    return _principal(user, "token")


def _session_user(ctx: ApiContext, session: SessionData) -> Principal:
    with ctx.store.transaction(readonly=True) as tx:
        user = tx.sessions.user(session.session_id, now=ctx.now())
    if user is not None and str(user.id) != str(session.user_id):
        user = None
    if user is None:
        raise AuthError("Not authenticated: the session has ended; log in again")
    return _principal(user, "session", session)


def _same_credentials(given: str, stored: str) -> bool:
    return bool(given) and bool(stored) and hmac.compare_digest(given.encode(), stored.encode())


def _principal(user: UserRecord | None, via: str, session: SessionData | None = None) -> Principal:
    if user is None or not user.active:
        raise AuthError("Not authenticated: the user no longer exists or is inactive")
    try:
        role = Role.parse(user.role)
    except InvalidInputError:
        raise AuthError(f"user {user.username!r} has an unknown role {user.role!r}") from None
    return Principal(user.id, user.username, role, via, session)


# --- the middleware -------------------------------------------------------------------------


class AuthMiddleware:
    """Authentication and CSRF before routing (pure ASGI, so streamed responses pass)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        ctx: ApiContext = scope["app"].state.brisa
        path = request.url.path
        try:
            principal, failure = await self._resolve(ctx, request)
        except BrisaError as exc:  # the database is down: public paths still answer
            if not is_public(path):
                await error_response(request, exc)(scope, receive, send)
                return
            principal, failure = None, None
        scope.setdefault("state", {})["principal"] = principal
        if is_public(path):
            await self.app(scope, receive, send)
            return
        if principal is None:
            await self._refuse(request, failure or AuthError("Not authenticated"), scope, receive, send)
            return
        if principal.via == "session" and not is_safe_method(request.method):
            try:
                receive = await _check_csrf(request, principal, receive)
            except (PermissionDenied, InvalidInputError) as exc:
                await error_response(request, exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _resolve(self, ctx: ApiContext, request: Request) -> tuple[Principal | None, AuthError | None]:
        authorization = request.headers.get("authorization")
        cookie = request.cookies.get(SESSION_COOKIE_NAME)
        if not authorization and not cookie:
            return None, None
        try:
            return await run_in_threadpool(resolve_principal, ctx, authorization, cookie), None
        except AuthError as exc:
            return None, exc

    async def _refuse(
        self, request: Request, failure: AuthError, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response = error_response(request, failure)
        if request.cookies.get(SESSION_COOKIE_NAME):
            clear_session_cookie(response, request)
        await response(scope, receive, send)


async def _check_csrf(request: Request, principal: Principal, receive: Receive) -> Receive:
    """Verify the CSRF token of an unsafe cookie request; returns a ``receive`` that replays the body."""
    assert principal.session is not None
    token = request.headers.get(CSRF_HEADER)
    if token:
        verify_csrf_token(principal.session, token)
        return receive
    if not _is_urlencoded_form(request):
        raise PermissionDenied(f"CSRF token is missing: send it in the {CSRF_HEADER} header")
    body = await _read_body(receive)
    fields = parse_qs(body.decode("latin-1"), keep_blank_values=True)
    verify_csrf_token(principal.session, (fields.get(CSRF_FORM_FIELD) or [""])[0])
    return _replay(body)


def _is_urlencoded_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise RequestTooLarge(f"form body larger than {MAX_FORM_BYTES} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


# --- what routes declare --------------------------------------------------------------------


def require(*permissions: Permission) -> Callable[..., Principal]:
    """A dependency: the caller, who must hold every one of ``permissions`` (403 otherwise)."""

    def dependency(
        request: Request, _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]
    ) -> Principal:
        principal = current_principal(request)
        for permission in permissions:
            if not principal.can(permission):
                action, resource = permission.value
                raise PermissionDenied(
                    f"Forbidden: the {principal.role.value} role does not have {action} on {resource}"
                )
        return principal

    dependency.brisa_permissions = permissions  # type: ignore[attr-defined]
    return dependency


authenticated = require()
"""A dependency for routes any logged-in user may use (``/logout``, ``/ui/api/me``)."""


def current_principal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise AuthError("Not authenticated")
    return principal


def api_routes(routes: Iterable[Any]) -> Iterator[tuple[str, set[str], Any]]:
    """``(path, methods, dependant)`` of every API route, as routing sees them.

    FastAPI includes routers lazily, so ``app.routes`` holds the included routers, not
    their routes: the effective routes (with include prefixes and dependencies) come
    from ``iter_route_contexts``.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before lazy includes: app.routes are the routes themselves
        for route in routes:
            if isinstance(route, APIRoute):
                yield route.path, set(route.methods or ()), route.dependant
        return
    for context in iter_route_contexts(list(routes)):
        if isinstance(context.original_route, APIRoute):
            yield context.path or "", set(context.methods or ()), context.dependant


def check_routes(routes: Iterable[Any]) -> None:
    """Refuse (ConfigError) any non-public API route that declares no permission."""
    unguarded = [
        f"{sorted(methods)} {path}"
        for path, methods, dependant in api_routes(routes)
        if not is_public(path) and not _guarded(dependant)
    ]
    if unguarded:
        raise ConfigError("routes without a require(...) dependency: " + ", ".join(unguarded))


def _guarded(dependant: Any) -> bool:
    return any(hasattr(dep.call, "brisa_permissions") or _guarded(dep) for dep in dependant.dependencies)


def required_permissions(dependant: Any) -> set[Permission]:
    """Every permission a route's ``require(...)`` dependencies ask for."""
    found: set[Permission] = set()
    for dep in dependant.dependencies:
        found.update(getattr(dep.call, "brisa_permissions", ()))
        found |= required_permissions(dep)
    return found


# --- sessions -------------------------------------------------------------------------------


def is_https(request: Request) -> bool:
    return request_is_https(request.url.scheme, request.headers.get("x-forwarded-proto"))


def start_session(ctx: ApiContext, response: Response, request: Request, user_id: int) -> SessionData:
    """Log a browser in: a fresh session (new id and CSRF secret), stored, in an HttpOnly cookie."""
    now = ctx.now()
    session = new_session(user_id, now=now)
    with ctx.store.transaction() as tx:
        tx.sessions.add(session.session_id, user_id=user_id, now=now, expires_at=now + ctx.session_max_age)
    response.set_cookie(
        SESSION_COOKIE_NAME,
        encode_session(session, secret=ctx.secret_key),
        **cookie_params(is_https(request), max_age=ctx.session_max_age),
    )
    return session


def end_session(ctx: ApiContext, principal: Principal) -> None:
    """Log out: the session's row goes, so a copy of its cookie no longer works."""
    if principal.session is None:
        return
    with ctx.store.transaction() as tx:
        tx.sessions.end(principal.session.session_id)


def clear_session_cookie(response: Response, request: Request) -> None:
    params = cookie_params(is_https(request))
    params.pop("max_age")
    response.delete_cookie(SESSION_COOKIE_NAME, **params)


def csrf_for(request: Request) -> str | None:
    """A CSRF token for the page being rendered (None when the caller has no session)."""
    principal = getattr(request.state, "principal", None)
    if principal is None or principal.session is None:
        return None
    return csrf_token(principal.session)


def new_login_nonce() -> str:
    return _random.token_urlsafe(24)


def same_nonce(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


__all__ = [
    "LOGIN_CSRF_COOKIE",
    "PUBLIC_PATHS",
    "PUBLIC_PREFIXES",
    "AuthMiddleware",
    "Principal",
    "api_routes",
    "authenticated",
    "bearer_scheme",
    "check_routes",
    "clear_session_cookie",
    "csrf_for",
    "current_principal",
    "end_session",
    "is_https",
    "is_public",
    "new_login_nonce",
    "require",
    "required_permissions",
    "resolve_principal",
    "same_nonce",
    "start_session",
]
