"""Every request body is limited before a route reads it: ``[api] max_request_body_bytes``,
and far less for the login paths and requests without credentials."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from brisa.api.body_limit import ANONYMOUS_BODY_BYTES
from brisa.config import load_settings
from tests.api.conftest import FERNET_KEY, Api, build_api

LIMIT = 256 * 1024


def small_api(store: Any, settings: Any, clock: Any, hasher: Any) -> Api:
    env = {"BRISA__CORE__FERNET_KEY": FERNET_KEY, "BRISA__API__MAX_REQUEST_BODY_BYTES": str(LIMIT)}
    return build_api(store, load_settings(env, home=str(settings.home)), clock, hasher)


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body sent without Content-Length (chunked)."""
    yield b'{"key": "big", "value": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


def variable_count(api: Api) -> int:
    with api.store.transaction(readonly=True) as tx:
        return len(tx.variables.list(limit=100).items)


def test_a_body_over_the_limit_is_refused_and_nothing_is_written(store, settings, clock, hasher) -> None:  # type: ignore[no-untyped-def]
    api = small_api(store, settings, clock, hasher)
    h = api.headers("Admin")
    big = api.client.post("/api/v2/variables", json={"key": "big", "value": "x" * LIMIT}, headers=h)
    assert big.status_code == 413, big.text
    assert "larger than this server takes" in big.json()["detail"]
    streamed = api.client.post(
        "/api/v2/variables", content=chunks(LIMIT), headers={**h, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413, streamed.text
    assert variable_count(api) == 0
    fits = {"key": "fits", "value": "x" * (LIMIT - 1024)}
    assert api.client.post("/api/v2/variables", json=fits, headers=h).status_code == 201
    small = api.client.post(
        "/api/v2/variables", content=chunks(1024), headers={**h, "Content-Type": "application/json"}
    )
    assert small.status_code == 201, small.text


def test_the_default_limit_refuses_a_100_mb_variable(api: Api) -> None:
    h = {**api.headers("Admin"), "Content-Type": "application/json", "Content-Length": str(100 * 1024 * 1024)}
    # Declared, not sent: the answer comes before a byte of the body is read.
    response = api.client.post("/api/v2/variables", content=b'{"key": "k", "value": ""}', headers=h)
    assert response.status_code == 413
    assert variable_count(api) == 0


def test_login_paths_and_anonymous_requests_take_little(api: Api) -> None:
    name = api.user("Viewer")
    padding = "x" * ANONYMOUS_BODY_BYTES
    token = api.client.post("/auth/token", json={"username": name, "password": padding})
    assert token.status_code == 413
    assert token.json()["detail"]
    form = api.client.post("/login", data={"username": name, "password": padding})
    assert form.status_code == 413
    anonymous = api.client.post("/api/v2/variables", content=chunks(2 * ANONYMOUS_BODY_BYTES))
    assert anonymous.status_code == 413
    assert api.client.post("/api/v2/variables", json={"key": "k", "value": "v"}).status_code == 401
