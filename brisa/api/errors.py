"""The one place where Brisa's errors become HTTP responses.

Bodies have Airflow's shape, ``{"detail": "message"}`` (``HTTPExceptionResponse``)::

    BrisaError                  500  (logged; the body does not leak internals)
     ├── NotFoundError          404
     ├── ConflictError          409  (InvalidTransition too)
     ├── InvalidInputError      400
     │    └── RequestTooLarge   413  (a body over ``[api] max_request_body_bytes``)
     ├── DagError               400  (ParamValidationError: conf does not fit the params)
     ├── AuthError              401  + WWW-Authenticate; a page answers 303 to /login
     │    ├── PermissionDenied  403
     │    └── LoginThrottled    429  + Retry-After
     ├── StoreUnavailable       503  + Retry-After
     ├── SecretsError           500  (its message: which variable or connection no key decrypts)
     └── StoreError, ConfigError, ExecutorError   500

Which paths are "API" (JSON answers) and which are pages (a login redirect, or the
UI's error page through ``ApiContext.page_error_renderer``) is decided here too.
"""

from __future__ import annotations

import logging
import math
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from brisa import errors

log = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/auth/", "/ui/api/")
"""Paths answered with JSON; everything else is a page."""
LOGIN_PATH = "/login"
STORE_RETRY_AFTER_SECONDS = 5


class LoginThrottled(errors.AuthError):
    """Too many failed logins for this user: wait ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


STATUS_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (LoginThrottled, 429),
    (errors.PermissionDenied, 403),
    (errors.AuthError, 401),
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.RequestTooLarge, 413),
    (errors.InvalidInputError, 400),
    (errors.DagError, 400),
    (errors.StoreUnavailable, 503),
)

_HIDDEN_DETAIL = {
    503: "The metadata database is unavailable; try again shortly.",
    500: "Internal error; see the server's log.",
}


def status_for(exc: BaseException) -> int:
    for kind, status in STATUS_CODES:
        if isinstance(exc, kind):
            return status
    return 500


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path == "/openapi.json"


def login_redirect(path: str, query: str = "") -> RedirectResponse:
    """Send a browser to the login page, remembering where it wanted to go."""
    target = path + (f"?{query}" if query else "")
    return RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)


def error_response(request: Request, exc: BaseException) -> Response:
    """The response for ``exc`` raised while handling ``request``."""
    status = status_for(exc)
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=status == 500)
    shown = status < 500 or isinstance(exc, errors.SecretsError)  # names the key, never its value
    detail = (str(exc) or type(exc).__name__) if shown else _HIDDEN_DETAIL[status]
    if not is_api_path(request.url.path):
        if status == 401:
            return login_redirect(request.url.path, request.url.query)
        renderer = getattr(getattr(request.app.state, "brisa", None), "page_error_renderer", None)
        if renderer is not None:
            return renderer(request, status, detail)
    return JSONResponse({"detail": detail}, status_code=status, headers=_headers(status, exc))


def _headers(status: int, exc: BaseException) -> dict[str, str]:
    if isinstance(exc, LoginThrottled):
        return {"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if status == 503:
        return {"Retry-After": str(STORE_RETRY_AFTER_SECONDS)}
    return {}


async def _handle(request: Request, exc: Exception) -> Response:
    return error_response(request, exc)


def install(app: FastAPI) -> None:
    """Register the handler; Starlette finds it for every BrisaError subclass (by MRO)."""
    app.add_exception_handler(errors.BrisaError, _handle)


__all__ = [
    "API_PREFIXES",
    "LOGIN_PATH",
    "STATUS_CODES",
    "LoginThrottled",
    "error_response",
    "install",
    "is_api_path",
    "login_redirect",
    "status_for",
]
