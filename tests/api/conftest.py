"""An API over a real store (every backend of the ``store`` fixture), users of each role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from brisa.api.app import create_app
from brisa.auth.passwords import hash_password, make_hasher
from brisa.auth.roles import Role
from brisa.config import load_settings
from brisa.secrets.service import SecretsService
from brisa.store.sql import Store
from brisa.testing import FakeClock
from tests.app_shells import AppShells

FERNET_KEY = "Jm1Ud0Rbx7OmbnOtzPbI6kfnWQ3k7KLyVGTFJoKvcgU="
PASSWORD = "correct-horse-battery"


@dataclass
class Api:
    """The app under test, its store and clock, and ways to call it as a given role."""

    app: FastAPI
    store: Store
    clock: FakeClock
    settings: Any
    hasher: Any
    changes: list[str] = field(default_factory=list)
    _tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def client(self) -> TestClient:
        """A client with no credentials (follows no redirects)."""
        return TestClient(self.app, follow_redirects=False)

    def user(self, role: Role | str, username: str | None = None) -> str:
        """Create a user of ``role`` (named after it) unless it exists; returns the name."""
        role = Role.parse(role)
        name = username or role.value.lower()
        with self.store.transaction() as tx:
            if tx.users.get(name) is None:
                password_hash = hash_password(PASSWORD, hasher=self.hasher)
                tx.users.create(
                    username=name, email="", role=role.value, password_hash=password_hash, now=self.clock()
                )
        return name

    def headers(self, role: Role | str = Role.ADMIN) -> dict[str, str]:
        """``Authorization: Bearer`` headers of a user of ``role``."""
        name = self.user(role)
        if name not in self._tokens:
            response = self.client.post("/auth/token", json={"username": name, "password": PASSWORD})
            assert response.status_code == 201, response.text
            self._tokens[name] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return self._tokens[name]

    def browser(self, role: Role | str = Role.ADMIN) -> tuple[TestClient, str]:
        """A client logged in through the login form (session cookie) and its CSRF token."""
        name = self.user(role)
        browser = TestClient(self.app, follow_redirects=False)
        nonce = login_nonce(browser.get("/login").text)
        form = {"username": name, "password": PASSWORD, "login_csrf": nonce, "next": "/"}
        response = browser.post("/login", data=form)
        assert response.status_code == 303, response.text
        token = browser.get("/ui/api/me").json()["csrf_token"]
        return browser, token


def login_nonce(html: str) -> str:
    match = re.search(r'name="login_csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Any) -> Any:
    return load_settings({"BRISA__CORE__FERNET_KEY": FERNET_KEY}, home=str(tmp_path))


@pytest.fixture
def hasher() -> Any:
    return make_hasher(time_cost=1, memory_cost_kib=8, parallelism=1)


def build_api(store: Store, settings: Any, clock: FakeClock, hasher: Any, **options: Any) -> Api:
    """The app without the UI's pages unless ``plugins`` says otherwise (pages have their own tests)."""
    options.setdefault("plugins", [])
    api = Api(app=None, store=store, clock=clock, settings=settings, hasher=hasher)  # type: ignore[arg-type]
    secrets = SecretsService.from_settings(settings, store, {})
    api.app = create_app(
        settings,
        store,
        secrets,
        clock=clock,
        on_change=lambda: api.changes.append("changed"),
        hasher=hasher,
        **options,
    )
    return api


@contextmanager
def shared_api(
    shells: AppShells, store: Store, settings: Any, clock: FakeClock, hasher: Any
) -> Iterator[Api]:
    """What ``build_api`` returns, on an app shell built once (tests/app_shells.py)."""
    api = Api(app=None, store=store, clock=clock, settings=settings, hasher=hasher)  # type: ignore[arg-type]
    secrets = SecretsService.from_settings(settings, store, {})
    on_change = lambda: api.changes.append("changed")  # noqa: E731
    with shells.app(
        settings, store, secrets, plugins=[], clock=clock, on_change=on_change, hasher=hasher
    ) as app:
        api.app = app
        yield api


@pytest.fixture
def api(app_shells: AppShells, store: Store, settings: Any, clock: FakeClock, hasher: Any) -> Iterator[Api]:
    """The API on every store backend."""
    with shared_api(app_shells, store, settings, clock, hasher) as api:
        yield api


@pytest.fixture
def fast_api(
    app_shells: AppShells, memory_store: Store, settings: Any, clock: FakeClock, hasher: Any
) -> Iterator[Api]:
    """The API on in-memory SQLite only, for tests that exercise no query."""
    with shared_api(app_shells, memory_store, settings, clock, hasher) as api:
        yield api
