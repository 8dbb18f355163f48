"""The login throttle kept in the database, and unknown users costing what known ones cost."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from brisa.api.errors import LoginThrottled
from brisa.api.login import address_throttle, check_credentials
from brisa.auth.passwords import hash_password, make_hasher
from brisa.auth.throttle import LoginThrottle
from brisa.errors import AuthError, InvalidInputError
from brisa.store import migrate
from brisa.store.repos.logins import address_key, name_key
from brisa.store.sql import Store
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


def send_at_once(api: Api, attempts: list[tuple[str, str]]) -> list[int]:
    """Every ``(username, password)`` from its own thread, released together."""
    start = threading.Barrier(len(attempts))
    statuses: list[int] = [0] * len(attempts)

    def send(i: int) -> None:
        client = api.client
        start.wait()
        statuses[i] = attempt_with(client, *attempts[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def attempt_with(client: Any, username: str, password: str) -> int:
    return client.post("/auth/token", json={"username": username, "password": password}).status_code


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Store]:
    """A store many threads can use at once (in-memory SQLite is one connection)."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_store")
        return
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    migrate.upgrade(store)
    yield store
    store.dispose()


def test_forty_parallel_wrong_passwords_are_counted_before_they_are_checked(
    shared_store: Store, settings: Any, clock: Any
) -> None:
    hasher = CountingHasher()
    api = build_api(shared_store, settings, clock, hasher)
    name = api.user("Viewer")
    statuses = send_at_once(api, [(name, "not-the-password")] * 40)
    assert sorted(statuses) == [401] * 5 + [429] * 35
    assert len(hasher.verified) == 5  # the free 4 and the 5th; then 1 s to wait (the clock stands)
    assert attempt(api, name, PASSWORD) == 429
    with api.store.transaction(readonly=True) as tx:
        assert tx.users.require(name).failed_logins == 5


def test_parallel_guesses_at_an_unknown_name_are_throttled_alike(
    shared_store: Store, settings: Any, clock: Any
) -> None:
    hasher = CountingHasher()
    api = build_api(shared_store, settings, clock, hasher)
    assert sorted(send_at_once(api, [("nobody", "not-the-password")] * 20)) == [401] * 5 + [429] * 15
    assert len(hasher.verified) == 5
    assert attempt(api, "NOBODY", "not-the-password") == 429  # names compare case-insensitively


def test_a_success_takes_its_attempt_back_off_the_address_count(api: Api) -> None:
    ctx = api.app.state.brisa
    name = api.user("Viewer")
    for _ in range(30):  # more than the address's 20 free failures, all successful
        assert check_credentials(ctx, name, PASSWORD, "10.1.2.3").username == name
    with api.store.transaction(readonly=True) as tx:
        assert tx.login_failures.get(address_key("10.1.2.3")).failures == 0


def test_an_address_is_throttled_across_names_and_can_be_turned_off(
    memory_store: Any, settings: Any, clock: Any, hasher: Any
) -> None:
    api = build_api(memory_store, settings, clock, hasher)
    ctx = api.app.state.brisa
    for i in range(21):
        with pytest.raises(AuthError):
            check_credentials(ctx, f"guess{i}", "not-the-password", "10.9.9.9")
    with pytest.raises(LoginThrottled):
        check_credentials(ctx, "guess-more", "not-the-password", "10.9.9.9")
    with pytest.raises(AuthError):
        check_credentials(ctx, "guess-more", "not-the-password", "10.9.9.8")
    assert address_throttle(0) is None
    assert address_throttle(3) == LoginThrottle(free_failures=3, lockout_after=15)


def test_password_checks_wait_for_the_bound(fast_api: Api) -> None:
    ctx = fast_api.app.state.brisa
    name = fast_api.user("Viewer")
    for _ in range(2):  # [api] max_concurrent_password_checks = 2, both taken
        ctx.password_checks.acquire()
    done = threading.Event()
    thread = threading.Thread(target=lambda: (check_credentials(ctx, name, PASSWORD), done.set()))
    thread.start()
    assert not done.wait(0.2)  # waiting for a check to end, not checking
    ctx.password_checks.release()
    thread.join()
    assert done.is_set()
    ctx.password_checks.release()


def test_a_huge_or_odd_username_is_counted_under_its_digest(api: Api) -> None:
    for name in ("x" * 10_000, "ß" * 200, "nul\x00name"):
        assert fail(api, name, 1) == [401]
    with api.store.transaction(readonly=True) as tx:
        assert tx.login_failures.get(name_key("x" * 10_000)).failures == 1
        assert name_key("x" * 10_000).startswith("name-sha256:")
