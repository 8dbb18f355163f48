"""PostgreSQL pool: connections idle for a while are pinged before use; busy ones are not."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from brisa.errors import StoreUnavailable
from brisa.store import sql

pytestmark = pytest.mark.postgres


def _backend_pid(store) -> int:
    with store.transaction(readonly=True) as tx:
        return tx.conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(store, pid: int) -> None:
    killer = sa.create_engine(store.engine.url, poolclass=sa.pool.NullPool)  # not from the pool under test
    with killer.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()
    killer.dispose()


def _count_pings(store, monkeypatch) -> list[object]:
    pings: list[object] = []
    ping = store.engine.dialect.do_ping

    def counting(dbapi_conn):
        pings.append(dbapi_conn)
        return ping(dbapi_conn)

    monkeypatch.setattr(store.engine.dialect, "do_ping", counting)
    return pings


def test_a_dead_connection_that_sat_idle_is_replaced_before_use(pg_store, monkeypatch):
    pid = _backend_pid(pg_store)
    _terminate(pg_store, pid)
    monkeypatch.setattr(sql, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if both sat idle for a while
    assert _backend_pid(pg_store) != pid  # no error: pinged, found dead, replaced


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_store, monkeypatch):
    _backend_pid(pg_store)
    pings = _count_pings(pg_store, monkeypatch)
    _backend_pid(pg_store)
    assert pings == []
    monkeypatch.setattr(sql, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend_pid(pg_store)
    assert len(pings) == 1


def test_a_busy_connection_killed_fails_once_then_the_pool_recovers(pg_store):
    pid = _backend_pid(pg_store)
    _terminate(pg_store, pid)
    with pytest.raises(StoreUnavailable):
        _backend_pid(pg_store)
    assert _backend_pid(pg_store) != pid
