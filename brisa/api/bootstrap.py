"""An ASGI app that answers health checks while the real app is still being built.

``brisa standalone`` binds its port and starts serving before importing FastAPI and
building the API (about half a second), so that ``/api/v2/monitor/health`` answers
within a second of start. Until :meth:`StartingApp.install` is called, health is
answered from :func:`brisa.api.health.health_report` and every other request waits
for the real app (up to :data:`WAIT_SECONDS`, then 503). Imports stay light on purpose:
no FastAPI, no pydantic.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

HEALTH_PATH = "/api/v2/monitor/health"
WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.02

Asgi = Callable[..., Any]


class StartingApp:
    def __init__(self, health: Callable[[], dict[str, Any]]) -> None:
        self._health = health
        self._app: Asgi | None = None

    def install(self, app: Asgi) -> None:
        """From now on every request goes to ``app``."""
        self._app = app

    @property
    def ready(self) -> bool:
        return self._app is not None

    async def __call__(self, scope: dict[str, Any], receive: Asgi, send: Asgi) -> None:
        if self._app is not None:
            await self._app(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        if scope.get("path") == HEALTH_PATH and scope.get("method") in ("GET", "HEAD"):
            report = await asyncio.to_thread(self._health)
            await _send_json(send, 200, report)
            return
        waited = 0.0
        while self._app is None and waited < WAIT_SECONDS:
            await asyncio.sleep(_POLL_SECONDS)
            waited += _POLL_SECONDS
        if self._app is None:
            await _send_json(send, 503, {"detail": "Brisa is starting; try again shortly."}, retry_after=True)
            return
        await self._app(scope, receive, send)


async def _send_json(send: Asgi, status: int, payload: Any, *, retry_after: bool = False) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = ["HEALTH_PATH", "WAIT_SECONDS", "StartingApp"]
