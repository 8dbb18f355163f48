"""An ASGI app that answers health checks while the real app is not built yet.

``brisa standalone`` binds its port and starts serving before importing FastAPI and
building the API (about half a second), so that ``/api/v2/monitor/health`` answers
within a second of start. Until the real app is there, health is answered from
:func:`brisa.api.health.health_report` and every other request waits for the real app
(up to :data:`WAIT_SECONDS`, then 503). Imports stay light on purpose: no FastAPI, no
pydantic.

The real app comes either from :meth:`StartingApp.install` or, when the StartingApp was
given ``build``, from the first request other than health: ``brisa standalone`` builds
it then, not at start, because FastAPI, pydantic and every route and page cost about
30 MB in this process and, written after the zygote was forked, about 15 MB more of the
pages the zygote shared with it (docs/performance.md). A standalone nobody browses never
pays for them; the first visitor waits for the build once (about half a second).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

HEALTH_PATH = "/api/v2/monitor/health"
WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.02

log = logging.getLogger("brisa.api")

Asgi = Callable[..., Any]


class StartingApp:
    def __init__(self, health: Callable[[], dict[str, Any]], build: Callable[[], Asgi] | None = None) -> None:
        self._health = health
        self._build = build
        self._app: Asgi | None = None
        self._building = threading.Lock()
        self.failure: BaseException | None = None
        """Why ``build`` failed (then every request but health is answered 500)."""

    def install(self, app: Asgi) -> None:
        """From now on every request goes to ``app``."""
        self._app = app

    @property
    def ready(self) -> bool:
        return self._app is not None

    def build_now(self) -> None:
        """Build the real app with ``build`` unless it is there (or failed); one build at a
        time, whichever thread asks."""
        with self._building:
            if self._app is not None or self.failure is not None or self._build is None:
                return
            try:
                self.install(self._build())
            except Exception as exc:  # reported by the requests and by the process's watch
                log.exception("the web app could not be built")
                self.failure = exc

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
        if self._build is not None and not self._building.locked():
            await asyncio.to_thread(self.build_now)  # the others poll: no thread each
        waited = 0.0
        while self._app is None and self.failure is None and waited < WAIT_SECONDS:
            await asyncio.sleep(_POLL_SECONDS)
            waited += _POLL_SECONDS
        if self.failure is not None:
            await _send_json(send, 500, {"detail": "Brisa's web app could not be built; see its log."})
            return
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
