"""The starting app: health at once, other requests wait for the real app."""

from __future__ import annotations

import asyncio
import threading

from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse

import brisa.api.bootstrap as bootstrap
from brisa.api.bootstrap import StartingApp


def test_health_is_answered_before_the_app_is_installed() -> None:
    starting = StartingApp(lambda: {"metadatabase": {"status": "healthy"}})
    response = TestClient(starting).get("/api/v2/monitor/health")
    assert (response.status_code, response.json()) == (200, {"metadatabase": {"status": "healthy"}})


def test_other_requests_wait_for_the_app_then_reach_it() -> None:
    starting = StartingApp(dict)
    timer = threading.Timer(0.1, starting.install, args=[PlainTextResponse("real app")])
    timer.start()
    assert TestClient(starting).get("/api/v2/dags").text == "real app"
    assert starting.ready
    assert TestClient(starting).get("/api/v2/monitor/health").text == "real app"


def test_a_request_gives_up_with_503_if_the_app_never_comes(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(bootstrap, "WAIT_SECONDS", 0.05)
    response = TestClient(StartingApp(dict)).get("/login")
    assert (response.status_code, response.headers["retry-after"]) == (503, "1")


def test_non_http_scopes_are_ignored_until_ready() -> None:
    sent: list[object] = []

    async def send(message: object) -> None:
        sent.append(message)

    asyncio.run(StartingApp(dict)({"type": "lifespan"}, None, send))
    assert sent == []
