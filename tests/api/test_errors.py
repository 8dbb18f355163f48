"""Brisa's errors as HTTP responses: statuses, headers, hidden internals, pages vs API."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from brisa import errors
from brisa.api.errors import LoginThrottled, error_response, install, status_for
from brisa.sdk.exceptions import ParamValidationError


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (errors.NotFoundError("x"), 404),
        (errors.ConflictError("x"), 409),
        (errors.InvalidTransition("x"), 409),
        (errors.InvalidInputError("x"), 400),
        (ParamValidationError("x"), 400),
        (errors.ScheduleError("x"), 400),
        (errors.AuthError("x"), 401),
        (errors.PermissionDenied("x"), 403),
        (LoginThrottled("x", retry_after=2.2), 429),
        (errors.StoreUnavailable("x"), 503),
        (errors.StoreError("x"), 500),
        (errors.SecretsError("x"), 500),
        (errors.BrisaError("x"), 500),
    ],
)
def test_status_for(exc: Exception, status: int) -> None:
    assert status_for(exc) == status


def app_raising(exc: Exception) -> TestClient:
    app = FastAPI()
    install(app)

    @app.get("/api/v2/thing")
    @app.get("/page")
    def raise_it() -> None:
        raise exc

    return TestClient(app, follow_redirects=False, raise_server_exceptions=False)


def test_api_errors_are_airflows_body_with_their_headers() -> None:
    throttled = app_raising(LoginThrottled("slow down", retry_after=2.2)).get("/api/v2/thing")
    assert (throttled.status_code, throttled.json(), throttled.headers["Retry-After"]) == (
        429,
        {"detail": "slow down"},
        "3",
    )
    unauthenticated = app_raising(errors.AuthError("who?")).get("/api/v2/thing")
    assert unauthenticated.headers["WWW-Authenticate"] == "Bearer"
    unavailable = app_raising(errors.StoreUnavailable("postgres://user:pw@host refused")).get("/api/v2/thing")
    assert unavailable.json() == {"detail": "The metadata database is unavailable; try again shortly."}
    assert unavailable.headers["Retry-After"] == "5"
    internal = app_raising(errors.StoreError("SELECT secret FROM x")).get("/api/v2/thing")
    assert internal.json() == {"detail": "Internal error; see the server's log."}


def test_pages_send_unauthenticated_browsers_to_the_login_page() -> None:
    response = app_raising(errors.AuthError("who?")).get("/page?a=1")
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2Fpage%3Fa%3D1")
    assert app_raising(errors.NotFoundError("gone")).get("/page").json() == {"detail": "gone"}


def test_a_page_error_renderer_set_by_the_ui_renders_page_errors() -> None:
    class Context:
        @staticmethod
        def page_error_renderer(request, status, detail):  # type: ignore[no-untyped-def]
            from starlette.responses import HTMLResponse

            return HTMLResponse(f"<h1>{status}</h1>", status_code=status)

    client = app_raising(errors.NotFoundError("gone"))
    client.app.state.brisa = Context()
    assert client.get("/page").text == "<h1>404</h1>"
    assert client.get("/api/v2/thing").json() == {"detail": "gone"}


def test_error_response_works_outside_handlers() -> None:
    from starlette.requests import Request

    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/api/v2/x",
            "headers": [],
            "query_string": b"",
            "app": FastAPI(),
        }
    )
    assert error_response(request, errors.PermissionDenied("no")).status_code == 403
