"""The whole app's security: every route walked, anonymous and as a Viewer."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse

from brisa.api.app import create_app, discover_plugins
from brisa.api.errors import is_api_path
from brisa.api.headers import CONTENT_SECURITY_POLICY
from brisa.api.security import (
    PUBLIC_PATHS,
    Principal,
    api_routes,
    is_public,
    require,
    required_permissions,
)
from brisa.auth.roles import Permission, Role, has_permission
from brisa.config import load_settings
from brisa.errors import ConfigError
from brisa.secrets.service import SecretsService
from tests.api.conftest import FERNET_KEY, Api, build_api

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
READS_BY_POST = {
    "/api/v2/dags/{dag_id}/dagRuns/list",
    "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/list",
}
"""Airflow's list endpoints that take their filters in a POST body: viewers may call them."""


def concrete(path: str) -> str:
    """A path template with sample values: ``1`` for integers, ``x`` for the rest."""
    return re.sub(r"\{[^}:]+(:int)?(:path)?\}", lambda m: "1" if m.group(1) else "x", path)


def operations(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method, path) for path, methods, _ in api_routes(app.routes) for method in methods - {"HEAD"}
    )


def guarded_page(app: FastAPI) -> None:
    """What the UI engineer's plugin does: a page that needs DAG_READ."""
    router = APIRouter()

    @router.get("/pages/dags", response_class=HTMLResponse)
    def dags_page(user: Annotated[Principal, Depends(require(Permission.DAG_READ))]) -> str:
        return f"<p>hello {user.username}</p>"

    app.include_router(router)


@pytest.fixture
def walked(memory_store, settings, clock, hasher) -> Api:  # type: ignore[no-untyped-def]
    """The whole app: the installed UI's pages and a UI-like page of our own are walked too."""
    return build_api(memory_store, settings, clock, hasher, plugins=[*discover_plugins(), guarded_page])


def test_the_app_serves_the_resources_of_docs_api_md(fast_api: Api) -> None:
    paths = {path for _, path in operations(fast_api.app)}
    for expected in (
        "/api/v2/dags",
        "/api/v2/dags/{dag_id}/tasks",
        "/api/v2/dags/{dag_id}/tasks/{task_id}",
        "/api/v2/dagSources/{dag_id}",
        "/api/v2/dagStats",
        "/api/v2/dagTags",
        "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/clear",
        "/api/v2/dags/{dag_id}/clearTaskInstances",
        "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}",
        "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}",
        "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/list",
        "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/links",
        "/api/v2/eventLogs",
        "/api/v2/eventLogs/{event_log_id}",
        "/api/v2/assets",
        "/api/v2/assets/{asset_id}",
        "/api/v2/assets/events",
        "/api/v2/assets/aliases",
        "/api/v2/dags/{dag_id}/assets/queuedEvents",
        "/api/v2/variables/{variable_key:path}",
        "/api/v2/connections/{connection_id}",
        "/api/v2/pools/{pool_name}",
        "/api/v2/importErrors/{import_error_id}",
        "/api/v2/monitor/health",
        "/api/v2/version",
        "/auth/token",
        "/login",
        "/ui/api/dags/{dag_id}/grid",
    ):
        assert expected in paths


def test_every_route_refuses_a_caller_without_credentials(walked: Api) -> None:
    client = walked.client
    checked = 0
    for method, path in operations(walked.app):
        if is_public(path):
            continue
        response = client.request(method, concrete(path))
        if is_api_path(path):
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["detail"].startswith("Not authenticated")
            assert response.headers["WWW-Authenticate"] == "Bearer"
        else:
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/login?next=")
        checked += 1
    assert checked > 40


def test_unknown_paths_are_refused_too_so_nothing_is_learnt_without_login(fast_api: Api) -> None:
    assert fast_api.client.get("/api/v2/nothing/here").status_code == 401
    page = fast_api.client.get("/some/page?x=1")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fsome%2Fpage%3Fx%3D1"


def test_public_paths_answer_without_credentials(fast_api: Api) -> None:
    client = fast_api.client
    assert client.get("/api/v2/monitor/health").status_code == 200
    assert client.get("/api/v2/version").status_code == 200  # Airflow's client sends no token for it
    assert client.get("/login").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/static/login.css").status_code == 200
    fast_api.user("Viewer")
    assert client.post("/auth/token", json={"username": "viewer", "password": "wrong-one"}).status_code == 401
    assert {
        "/api/v2/monitor/health",
        "/api/v2/version",
        "/auth/token",
        "/auth/token/cli",
        "/login",
        "/openapi.json",
    } == PUBLIC_PATHS


def test_a_viewer_is_refused_every_state_changing_route(walked: Api) -> None:
    headers = walked.headers("Viewer")
    refused = set()
    for path, methods, dependant in api_routes(walked.app.routes):
        needed = required_permissions(dependant)
        for method in methods & UNSAFE:
            if is_public(path) or all(has_permission(Role.VIEWER, p) for p in needed):
                assert not path.startswith("/api/") or path in READS_BY_POST, (method, path)
                continue
            response = walked.client.request(method, concrete(path), headers=headers, json={})
            assert response.status_code == 403, (method, path, response.text)
            if is_api_path(path):  # pages answer with the UI's error page
                assert response.json()["detail"].startswith("Forbidden: the Viewer role")
            refused.add((method, path))
    assert len(refused) >= 21
    xcoms = "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries"
    assert {("POST", xcoms), ("PATCH", xcoms + "/{xcom_key}")} <= refused


def test_a_viewer_may_read_what_airflow_lets_viewers_read(fast_api: Api) -> None:
    headers = fast_api.headers("Viewer")
    assert fast_api.client.get("/api/v2/dags", headers=headers).status_code == 200
    assert fast_api.client.get("/api/v2/dagStats", headers=headers).status_code == 200
    assert fast_api.client.get("/api/v2/dagTags", headers=headers).status_code == 200
    assert fast_api.client.get("/api/v2/pools", headers=headers).status_code == 200
    assert fast_api.client.get("/api/v2/variables", headers=headers).status_code == 403
    assert fast_api.client.get("/api/v2/connections", headers=headers).status_code == 403


def test_pages_added_by_a_plugin_redirect_anonymous_users_and_serve_logged_in_ones(walked: Api) -> None:
    assert walked.client.get("/pages/dags").headers["location"] == "/login?next=%2Fpages%2Fdags"
    browser, _ = walked.browser("Viewer")
    assert browser.get("/pages/dags").text == "<p>hello viewer</p>"


def test_create_app_refuses_a_route_that_declares_no_permission(
    settings, memory_store, clock, hasher
) -> None:
    def careless(app: FastAPI) -> None:
        @app.get("/pages/open")
        def open_page() -> str:
            return "anyone"

    secrets = SecretsService.from_settings(settings, memory_store, {})
    with pytest.raises(ConfigError, match=r"/pages/open"):
        create_app(settings, memory_store, secrets, clock=clock, hasher=hasher, plugins=[careless])


def test_create_app_refuses_a_missing_or_short_secret_key(tmp_path, memory_store, clock) -> None:
    settings = load_settings(
        {"BRISA__CORE__FERNET_KEY": FERNET_KEY, "BRISA__API__SECRET_KEY": "short"}, home=str(tmp_path)
    )
    secrets = SecretsService.from_settings(settings, memory_store, {})
    with pytest.raises(ConfigError, match="secret_key"):
        create_app(settings, memory_store, secrets, clock=clock)


def test_responses_carry_security_headers(fast_api: Api) -> None:
    response = fast_api.client.get("/login")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers
    over_https = fast_api.client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    api = fast_api.client.get("/api/v2/dags")
    assert api.status_code == 401
    assert api.headers["Cache-Control"] == "no-store"


def test_openapi_is_public_and_declares_the_bearer_scheme(fast_api: Api) -> None:
    document = fast_api.client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "/api/v2/dags" in document["paths"]
    assert not any(path.startswith(("/ui/", "/login", "/logout")) for path in document["paths"])
