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


def test_with_build_health_does_not_build_and_the_first_other_request_builds_once() -> None:
    builds: list[int] = []

    def build() -> PlainTextResponse:
        builds.append(1)
        return PlainTextResponse("built app")

    starting = StartingApp(lambda: {"metadatabase": {"status": "healthy"}}, build=build)
    client = TestClient(starting)
    assert client.get("/api/v2/monitor/health").json() == {"metadatabase": {"status": "healthy"}}
    assert (builds, starting.ready) == ([], False)
    assert client.get("/api/v2/dags").text == "built app"
    assert client.get("/home").text == "built app"
    assert (builds, starting.ready, starting.failure) == ([1], True, None)


def test_requests_arriving_during_the_build_wait_for_that_one_build() -> None:
    release, builds = threading.Event(), []

    def build() -> PlainTextResponse:
        builds.append(1)
        release.wait(5)
        return PlainTextResponse("built app")

    starting = StartingApp(dict, build=build)
    answers: list[str] = []
    first = threading.Thread(target=lambda: answers.append(TestClient(starting).get("/a").text))
    first.start()
    while not builds:
        threading.Event().wait(0.01)
    second = threading.Thread(target=lambda: answers.append(TestClient(starting).get("/b").text))
    second.start()
    release.set()
    first.join(5)
    second.join(5)
    assert (answers, builds) == (["built app", "built app"], [1])


def test_a_failed_build_answers_500_is_kept_and_not_retried() -> None:
    builds: list[int] = []

    def build() -> PlainTextResponse:
        builds.append(1)
        raise RuntimeError("no templates")

    starting = StartingApp(dict, build=build)
    client = TestClient(starting)
    for _ in range(2):
        response = client.get("/home")
        assert response.status_code == 500
        assert "could not be built" in response.json()["detail"]
    assert isinstance(starting.failure, RuntimeError) and builds == [1]
    assert client.get("/api/v2/monitor/health").status_code == 200
