"""The app with the UI over the real ``store`` fixture, users of every role, logged-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from brisa.auth.passwords import hash_password, make_hasher
from brisa.auth.throttle import LoginThrottle
from brisa.config import load_settings
from brisa.secrets.fernet import generate_key
from brisa.secrets.service import SecretsService
from brisa.store.sql import Store
from brisa.testing import FakeClock
from brisa.ui.pages import install
from tests.app_shells import AppShells
from tests.ui.helpers import PASSWORD, login

ROLES = ("Admin", "Op", "User", "Viewer")
FAST_HASHER = make_hasher(time_cost=1, memory_cost_kib=64, parallelism=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Any) -> Any:
    environ = {"BRISA__API__SECRET_KEY": "s" * 48, "BRISA__CORE__FERNET_KEY": generate_key()}
    return load_settings(environ, home=str(tmp_path / "home"))


@pytest.fixture
def app(app_shells: AppShells, store: Store, settings: Any, clock: FakeClock) -> Iterator[Any]:
    """The app with the UI, on an app shell built once (tests/app_shells.py)."""
    secrets = SecretsService.from_settings(settings, store, {})
    with store.transaction() as tx:
        for role in ROLES:
            tx.users.create(
                username=role.lower(),
                email=f"{role.lower()}@example.com",
                role=role,
                password_hash=hash_password(PASSWORD, hasher=FAST_HASHER),
                now=clock(),
            )
    with app_shells.app(
        settings, store, secrets, clock=clock, hasher=FAST_HASHER, throttle=LoginThrottle(), plugins=[install]
    ) as app:
        yield app


@pytest.fixture
def client_for(app: Any) -> Iterator[Callable[[str], TestClient]]:
    """``client_for("viewer")``: a client logged in as that user (``admin``, ``op``, ``user``...)."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        login(client, username)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def admin(client_for: Callable[[str], TestClient]) -> TestClient:
    return client_for("admin")


@pytest.fixture
def viewer(client_for: Callable[[str], TestClient]) -> TestClient:
    return client_for("viewer")
