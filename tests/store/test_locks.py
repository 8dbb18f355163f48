"""The scheduler's critical sections: PostgreSQL advisory locks held to commit."""

from __future__ import annotations

import pytest

from brisa.store.sql import Transaction

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("section", ["queue", "start_runs"])
def test_one_transaction_at_a_time_holds_a_section(pg_store, section):
    first = pg_store.engine.connect()
    try:
        with first.begin():
            assert Transaction(first).try_lock(section)
            with pg_store.transaction() as tx:
                assert not tx.try_lock(section)  # another scheduler: skips this round
                assert tx.try_lock(next(other for other in ("queue", "start_runs") if other != section))
        with pg_store.transaction() as tx:  # released at commit
            assert tx.try_lock(section)
    finally:
        first.close()


def test_sqlite_transactions_are_alone_anyway(memory_store):
    with memory_store.transaction() as tx:
        assert tx.try_lock("queue") and tx.try_lock("start_runs")
