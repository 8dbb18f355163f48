"""The SQLite database Brisa creates (password hashes, XComs, logs) is 0600, -wal and -shm too."""

from __future__ import annotations

import os
import stat

import pytest

from brisa.store import migrate
from brisa.store.sql import Store


@pytest.fixture
def usual_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_and_shm_are_readable_by_their_owner_only(tmp_path, usual_umask):
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    try:
        migrate.upgrade(store)
        with store.transaction() as tx:
            tx.pools.ensure_default()
            modes = {p.name: _mode(p) for p in tmp_path.iterdir()}
    finally:
        store.dispose()
    assert {"brisa.db", "brisa.db-wal", "brisa.db-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path, usual_umask):
    path = tmp_path / "shared.db"
    path.touch()
    os.chmod(path, 0o640)
    store = Store(f"sqlite:///{path}")
    try:
        migrate.upgrade(store)
    finally:
        store.dispose()
    assert _mode(path) == 0o640
