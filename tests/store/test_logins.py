"""User ids, credential ids, server-side sessions and login failure counts in the store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from brisa.store import migrate
from brisa.store.repos.logins import address_key, name_key, session_row_id
from brisa.store.schema import metadata
from brisa.store.sql import Store
from tests.conftest import PG_ADMIN_URL, _pg_engine

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
HOUR = timedelta(hours=1)


def add_user(store: Store, name: str) -> int:
    with store.transaction() as tx:
        return tx.users.create(username=name, email="", role="Viewer", password_hash="h", now=T0).id


def test_user_ids_are_never_given_again(store: Store) -> None:
    first = add_user(store, "viewer")
    with store.transaction() as tx:
        tx.users.delete("viewer")
    assert add_user(store, "admin") > first


def test_each_user_gets_a_credential_id_that_a_new_password_changes(store: Store) -> None:
    add_user(store, "ann")
    add_user(store, "bob")
    with store.transaction() as tx:
        ann, bob = tx.users.require("ann"), tx.users.require("bob")
        assert len(ann.credential_id) == 32 and ann.credential_id != bob.credential_id
        tx.sessions.add("s1", user_id=ann.id, now=T0, expires_at=T0 + HOUR)
        tx.sessions.add("s2", user_id=bob.id, now=T0, expires_at=T0 + HOUR)
        tx.login_failures.lock(name_key("Ann"))
        tx.login_failures.set(name_key("ann"), failures=20, last_failure=T0)
        changed = tx.users.set_password("ann", "new-hash")
        assert changed.credential_id != ann.credential_id
        assert tx.sessions.user("s1", now=T0) is None  # ended
        assert tx.sessions.user("s2", now=T0) == bob  # another user's session stays
        assert tx.login_failures.get(name_key("ann")).failures == 0  # lock lifted


def test_sessions_end_at_logout_at_expiry_and_with_their_user(store: Store) -> None:
    user_id = add_user(store, "ann")
    with store.transaction() as tx:
        tx.sessions.add("a", user_id=user_id, now=T0, expires_at=T0 + HOUR)
        tx.sessions.add("b", user_id=user_id, now=T0, expires_at=T0 + HOUR)
        tx.sessions.add("c", user_id=user_id, now=T0, expires_at=T0 + 3 * HOUR)
        assert tx.sessions.user("a", now=T0).username == "ann"
        assert tx.sessions.user("nope", now=T0) is None
        tx.sessions.end("a")
        assert tx.sessions.user("a", now=T0) is None
        assert tx.sessions.user("b", now=T0 + HOUR) is None  # expired
        tx.sessions.add("d", user_id=user_id, now=T0 + 2 * HOUR, expires_at=T0 + 3 * HOUR)  # drops b
        assert tx.sessions.count(user_id) == 2
        stored = tx.conn.execute(sa.text("SELECT id FROM ab_session")).scalars().all()
        assert session_row_id("c") in stored and "c" not in stored  # only a digest is kept
        tx.users.delete("ann")
        assert tx.sessions.count(user_id) == 0


def test_failure_counts_lock_count_forgive_and_are_forgotten(store: Store) -> None:
    with store.transaction() as tx:
        fresh = tx.login_failures.lock(address_key("10.0.0.1"))
        assert (fresh.failures, fresh.last_failure) == (0, None)
        tx.login_failures.set(fresh.key, failures=2, last_failure=T0)
        tx.login_failures.lock(name_key("old"))
        tx.login_failures.set(name_key("old"), failures=7, last_failure=T0 - 2 * HOUR)
    with store.transaction() as tx:
        tx.login_failures.forgive(fresh.key)
        tx.login_failures.forgive(fresh.key)
        tx.login_failures.forgive(fresh.key)  # never below zero
        tx.login_failures.forget_before(T0 - HOUR)
    with store.transaction(readonly=True) as tx:
        assert tx.login_failures.get(fresh.key).failures == 0
        assert tx.login_failures.get(name_key("old")).last_failure is None  # forgotten


# --- migration 0003 (credentials) on a database that has users ----------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/brisa.db"
        return
    name = f"brisa_mig_{uuid.uuid4().hex[:10]}"
    admin = _pg_engine()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def alembic(store: Store, revision: str, *, down: bool = False) -> None:
    with store.engine.begin() as conn:
        cfg = migrate._alembic_config(conn)
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_migration_0003_keeps_users_gives_them_credential_ids_and_never_reuses_ids(empty_url: str) -> None:
    store = Store(empty_url)
    try:
        alembic(store, "0001")
        with store.engine.begin() as conn:
            for name in ("ann", "bob", "cid"):
                conn.execute(
                    sa.text(
                        "INSERT INTO ab_user (username, role, password_hash, created_at) "
                        "VALUES (:n, 'Viewer', 'h', :t)"
                    ),
                    {"n": name, "t": T0},
                )
        migrate.upgrade(store)
        with store.transaction() as tx:
            users = {u.username: u for u in tx.users.list().items}
            assert len({u.credential_id for u in users.values()}) == 3
            assert all(len(u.credential_id) == 32 for u in users.values())
            tx.users.delete("cid")
        assert add_user(store, "dan") > users["cid"].id
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []  # the migrations build exactly brisa.store.schema
        alembic(store, "0001", down=True)
        alembic(store, "head")
    finally:
        store.dispose()
