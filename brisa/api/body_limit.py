"""A size limit on every request body (pure ASGI middleware), checked before a route reads it.

A body whose ``Content-Length`` is over the limit is refused (413) without reading a
byte of it. A body sent without one (chunked) is read here up to the limit, then
handed on; one byte more and it is refused. The login paths (``/auth/token``,
``/login``) and requests without credentials take far less than the rest: a login is a
name and a password, and anything else without credentials is refused anyway.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from brisa.api.errors import error_response
from brisa.errors import RequestTooLarge

ANONYMOUS_BODY_BYTES = 64 * 1024
"""The limit on the login paths, and on requests with neither a token nor a cookie."""
ANONYMOUS_PATHS = frozenset({"/auth/token", "/auth/token/cli", "/login"})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit)
            return
        if declared is None and _may_have_body(scope):
            body = await _read_at_most(receive, limit)
            if body is None:
                await self._refuse(scope, receive, send, limit)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def limit_for(self, scope: Scope) -> int:
        anonymous = scope.get("path", "") in ANONYMOUS_PATHS or not _has_credentials(scope)
        return min(self.max_bytes, ANONYMOUS_BODY_BYTES) if anonymous else self.max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        request = Request(scope, receive)
        exc = RequestTooLarge(f"The request body is larger than this server takes ({limit} bytes)")
        response = error_response(request, exc)
        response.headers["Connection"] = "close"  # the unread body must not be taken for a request
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _has_credentials(scope: Scope) -> bool:
    return any(name in (b"authorization", b"cookie") for name, _ in scope.get("headers", []))


def _may_have_body(scope: Scope) -> bool:
    return any(name == b"transfer-encoding" for name, _ in scope.get("headers", []))


async def _read_at_most(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # after the body: wait for the disconnect, as Starlette expects
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


__all__ = ["ANONYMOUS_BODY_BYTES", "ANONYMOUS_PATHS", "BodyLimitMiddleware"]
