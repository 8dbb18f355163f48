"""The login throttle kept in the database, and unknown users costing what known ones cost."""

from __future__ import annotations

from typing import Any

import pytest

from brisa.api.errors import LoginThrottled
from brisa.api.login import check_credentials
from brisa.auth.passwords import hash_password, make_hasher
from brisa.auth.throttle import LoginThrottle
from brisa.errors import AuthError, InvalidInputError
from tests.api.conftest import PASSWORD, Api, build_api


def attempt(api: Api, username: str, password: str) -> int:
    response = api.client.post("/auth/token", json={"username": username, "password": password})
    return response.status_code


def fail(api: Api, username: str, times: int) -> list[int]:
    return [attempt(api, username, "not-the-password") for _ in range(times)]


def test_wrong_passwords_slow_down_with_429_and_retry_after(api: Api) -> None:
    name = api.user("Viewer")
    assert fail(api, name, 5) == [401] * 5
    response = api.client.post("/auth/token", json={"username": name, "password": PASSWORD})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    api.clock.advance(1)
    assert attempt(api, name, PASSWORD) == 201


def test_the_delay_doubles_and_refused_attempts_are_not_counted(api: Api) -> None:
    name = api.user("Viewer")
    fail(api, name, 5)
    api.clock.advance(1)
    assert fail(api, name, 1) == [401]
    assert fail(api, name, 3) == [429] * 3
    response = api.client.post("/auth/token", json={"username": name, "password": "x"})
    assert response.headers["Retry-After"] == "2"
    with api.store.transaction(readonly=True) as tx:
        assert tx.users.require(name).failed_logins == 6


def test_twenty_failures_lock_the_account_even_for_the_right_password(api: Api) -> None:
    name = api.user("Op")
    throttle = api.app.state.brisa.throttle
    for count in range(1, throttle.lockout_after + 1):
        assert fail(api, name, 1) == [401]
        last_failure = api.clock()
        api.clock.advance(throttle.delay_after(count) if count < throttle.lockout_after else 0)
    with api.store.transaction(readonly=True) as tx:
        locked_until = tx.users.require(name).locked_until
    assert locked_until == last_failure + throttle.lockout
    assert attempt(api, name, PASSWORD) == 429
    api.clock.now = locked_until
    assert attempt(api, name, PASSWORD) == 201


def test_the_count_is_shared_by_every_api_process_on_the_database(api: Api) -> None:
    name = api.user("Viewer")
    other = build_api(api.store, api.settings, api.clock, api.hasher)
    fail(api, name, 3)
    fail(other, name, 2)
    assert attempt(api, name, PASSWORD) == 429
    assert attempt(other, name, PASSWORD) == 429


def test_a_successful_login_clears_the_failures(api: Api) -> None:
    name = api.user("Viewer")
    fail(api, name, 4)
    assert attempt(api, name, PASSWORD) == 201
    assert fail(api, name, 5) == [401] * 5
    with api.store.transaction(readonly=True) as tx:
        user = tx.users.require(name)
    assert (user.failed_logins, user.last_login) == (5, api.clock())


def test_failures_older_than_the_window_no_longer_count(api: Api) -> None:
    name = api.user("Viewer")
    fail(api, name, 5)
    api.clock.advance(api.app.state.brisa.throttle.window.total_seconds() + 1)
    assert fail(api, name, 5) == [401] * 5
    with api.store.transaction(readonly=True) as tx:
        assert tx.users.require(name).failed_logins == 5


class CountingHasher:
    """A real hasher that counts the hashes it checks."""

    def __init__(self) -> None:
        self.inner = make_hasher(time_cost=1, memory_cost_kib=8, parallelism=1)
        self.verified: list[str] = []

    def verify(self, stored: str, password: str) -> bool:
        self.verified.append(stored)
        return self.inner.verify(stored, password)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_an_unknown_user_costs_a_full_password_check_and_is_throttled_alike(
    memory_store: Any, settings: Any, clock: Any
) -> None:
    hasher = CountingHasher()
    api = build_api(memory_store, settings, clock, hasher)
    assert fail(api, "nobody", 5) == [401] * 5
    assert len(hasher.verified) == 5
    assert all(h.startswith("$argon2id$v=19$m=8,t=1,p=1$") for h in hasher.verified)
    assert fail(api, "nobody", 1) == [429]
    assert len(hasher.verified) == 5  # refused before any hashing, as for a known user


def test_an_inactive_user_with_the_right_password_is_refused(api: Api) -> None:
    name = api.user("Admin")
    with api.store.transaction() as tx:
        tx.users.update(name, active=False)
    assert attempt(api, name, PASSWORD) == 401


def test_a_hash_made_with_old_parameters_is_upgraded_at_login(api: Api) -> None:
    name = api.user("User")
    old = hash_password(PASSWORD, hasher=make_hasher(time_cost=2, memory_cost_kib=16, parallelism=1))
    with api.store.transaction() as tx:
        tx.users.update(name, password_hash=old)
    assert attempt(api, name, PASSWORD) == 201
    with api.store.transaction(readonly=True) as tx:
        assert tx.users.require(name).password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_check_credentials_errors(fast_api: Api) -> None:
    ctx = fast_api.app.state.brisa
    name = fast_api.user("Viewer")
    with pytest.raises(InvalidInputError, match="must be provided"):
        check_credentials(ctx, "", "x")
    with pytest.raises(AuthError, match="Invalid credentials"):
        check_credentials(ctx, name, "x" * 2000)
    assert check_credentials(ctx, name, PASSWORD).username == name
    fail(fast_api, name, 5)
    with pytest.raises(LoginThrottled) as raised:
        check_credentials(ctx, name, PASSWORD)
    assert raised.value.retry_after == 1.0
