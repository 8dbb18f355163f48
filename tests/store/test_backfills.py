"""Backfill records (Airflow 3's ``backfill`` table) and ``dag_run.backfill_id`` on every backend."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from brisa.errors import NotFoundError
from brisa.services.runs import create_run
from brisa.states import RunState, advance_run
from brisa.store import Store, migrate
from brisa.testing import make_dag

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _backfill(tx, dag_id="etl", **options):
    return tx.backfills.create(dag_id=dag_id, from_date=T0, to_date=T0 + timedelta(days=2), now=T0, **options)


def _run(tx, dag, run_id, backfill_id=None, day=0):
    when = T0 + timedelta(days=day)
    return create_run(
        tx,
        dag,
        run_id=run_id,
        run_type="backfill",
        logical_date=when,
        data_interval=None,
        run_after=when,
        now=T0,
        backfill_id=backfill_id,
    )


def test_a_backfill_keeps_what_was_asked_for(store):
    with store.transaction() as tx:
        made = _backfill(
            tx,
            run_backwards=True,
            dag_run_conf={"table": "users"},
            reprocess_behavior="failed",
            max_active_runs=2,
            triggering_user_name="ana",
        )
    with store.transaction(readonly=True) as tx:
        got = tx.backfills.require(made.id)
    assert (got.dag_id, got.from_date, got.to_date) == ("etl", T0, T0 + timedelta(days=2))
    assert (got.run_backwards, got.dag_run_conf, got.reprocess_behavior) == (
        True,
        {"table": "users"},
        "failed",
    )
    assert (got.max_active_runs, got.is_paused, got.completed_at, got.triggering_user_name) == (
        2,
        False,
        None,
        "ana",
    )
    assert got.created_at == got.updated_at == T0


def test_defaults_are_airflow_3s(store):
    with store.transaction() as tx:
        made = _backfill(tx)
    assert (made.max_active_runs, made.reprocess_behavior, made.run_backwards, made.dag_run_conf) == (
        10,
        "none",
        False,
        {},
    )


def test_list_is_newest_first_and_filters(store):
    with store.transaction() as tx:
        first, second, other = _backfill(tx), _backfill(tx), _backfill(tx, dag_id="other")
        tx.backfills.complete(first.id, now=T0)
    with store.transaction(readonly=True) as tx:
        assert [b.id for b in tx.backfills.list().items] == [other.id, second.id, first.id]
        assert [b.id for b in tx.backfills.list(dag_id="etl").items] == [second.id, first.id]
        assert [b.id for b in tx.backfills.list(dag_id="etl", active_only=True).items] == [second.id]
        assert set(tx.backfills.many([first.id, other.id, 999])) == {first.id, other.id}


def test_pause_and_complete_and_a_missing_backfill(store):
    later = T0 + timedelta(hours=1)
    with store.transaction() as tx:
        made = _backfill(tx)
        assert tx.backfills.set_paused(made.id, True, now=later).is_paused is True
        done = tx.backfills.complete(made.id, now=later)
    assert (done.completed_at, done.updated_at) == (later, later)
    with pytest.raises(NotFoundError), store.transaction() as tx:
        tx.backfills.set_paused(999, True, now=later)


def test_runs_carry_their_backfill_and_it_completes_when_none_is_unfinished(store):
    dag = make_dag("etl", {"a": []})
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        made = _backfill(tx)
        empty = _backfill(tx, dag_id="other")  # no run at all: complete at once
        _run(tx, dag, "b1", made.id, day=0)
        _run(tx, dag, "b2", made.id, day=1)
        _run(tx, dag, "loose", None, day=2)
    with store.transaction() as tx:
        assert tx.runs.require("etl", "b1").backfill_id == made.id
        assert tx.runs.require("etl", "loose").backfill_id is None
        assert tx.backfills.complete_finished(now=T0) == [empty.id]
        advance_run(tx, "etl", "b1", RunState.QUEUED, RunState.SUCCESS)
        assert tx.backfills.complete_finished(now=T0) == []
        advance_run(tx, "etl", "b2", RunState.QUEUED, RunState.FAILED)
        later = T0 + timedelta(minutes=5)
        assert tx.backfills.complete_finished(now=later) == [made.id]
        assert tx.backfills.require(made.id).completed_at == later


def test_deleting_the_dag_deletes_its_backfills(store):
    with store.transaction() as tx:
        tx.dags.upsert(make_dag("etl", {"a": []}), paused_when_new=False, now=T0)
        _backfill(tx)
        kept = _backfill(tx, dag_id="other")
        tx.dags.delete("etl")
    with store.transaction(readonly=True) as tx:
        assert [b.id for b in tx.backfills.list().items] == [kept.id]


def test_a_subdag_is_flagged_in_the_dag_table(store):
    from dataclasses import replace

    child = replace(make_dag("parent.child", {"a": []}), is_subdag=True)
    with store.transaction() as tx:
        tx.dags.upsert(child, paused_when_new=False, now=T0)
        tx.dags.upsert(make_dag("parent", {"a": []}), paused_when_new=False, now=T0)
    with store.transaction(readonly=True) as tx:
        assert tx.dags.require("parent.child").is_subdag is True
        assert tx.dags.require("parent").is_subdag is False


def test_migration_0004_keeps_runs_and_goes_down_and_up(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    try:
        with store.engine.begin() as conn:
            command.upgrade(migrate._alembic_config(conn), "0003")
            conn.execute(
                sa.text(
                    "INSERT INTO dag_run (dag_id, run_id, run_type, state, run_after, conf, clear_number) "
                    "VALUES ('etl', 'r1', 'manual', 'success', :t, '{}', 0)"
                ),
                {"t": T0},
            )
        migrate.upgrade(store)
        with store.transaction(readonly=True) as tx:
            assert tx.runs.require("etl", "r1").backfill_id is None
        with store.engine.begin() as conn:
            command.downgrade(migrate._alembic_config(conn), "0003")
            assert "backfill" not in sa.inspect(conn).get_table_names()
        migrate.upgrade(store)
        with store.transaction(readonly=True) as tx:
            assert tx.backfills.list().items == []
    finally:
        store.dispose()
