"""brisa.services.backfill: Airflow 3's backfill record, one active backfill per DAG,
pause and cancel (Airflow 3.0 ``models/backfill.py`` ``_cancel_backfill``)."""

from datetime import UTC, datetime, timedelta

import pytest

from brisa.errors import ConflictError
from brisa.services.backfill import (
    BackfillRequest,
    Reprocess,
    cancel_backfill,
    completed_infos,
    pause_backfill,
    start_backfill,
)
from brisa.states import RunState, advance_run
from brisa.testing import make_dag
from brisa.timetables.partitions import CronPartitionTimetable

T0 = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2024, 2, 1, tzinfo=UTC)
DAILY = {"type": "DeltaDataIntervalTimetable", "delta": 86400.0}


@pytest.fixture
def dag():
    return make_dag("etl", {"a": []}, timetable=DAILY)


def _start(memory_store, dag, **options):
    request = BackfillRequest(start=T0, end=T0 + timedelta(days=2), **options)
    infos = completed_infos(dag, request.start, request.end, now=NOW, backwards=request.backwards)
    with memory_store.transaction() as tx:
        return start_backfill(tx, dag, request, infos, now=NOW)


def _runs(memory_store):
    with memory_store.transaction(readonly=True) as tx:
        return sorted(tx.runs.list("etl").items, key=lambda r: r.id)


def test_the_backfill_is_recorded_and_its_runs_carry_its_id_in_its_order(memory_store, dag):
    record, outcome = _start(memory_store, dag, backwards=True, max_active_runs=2, user="ana")
    assert (record.max_active_runs, record.run_backwards, record.triggering_user_name) == (2, True, "ana")
    assert len(outcome.created) == 3
    runs = _runs(memory_store)
    assert {r.backfill_id for r in runs} == {record.id}
    assert [r.logical_date.day for r in runs] == [3, 2, 1]  # created latest first: started in this order


def test_a_second_backfill_of_the_dag_waits_for_the_first_to_finish(memory_store, dag):
    first, _ = _start(memory_store, dag)
    with pytest.raises(ConflictError, match="active backfill"):
        _start(memory_store, dag)
    with memory_store.transaction() as tx:
        for run in tx.runs.list("etl").items:
            advance_run(tx, "etl", run.run_id, RunState.QUEUED, RunState.SUCCESS)
    second, outcome = _start(memory_store, dag, reprocess=Reprocess.COMPLETED)
    assert second.id != first.id and len(outcome.rerun) == 3
    assert {r.backfill_id for r in _runs(memory_store)} == {second.id}  # re-run runs join the new backfill
    with memory_store.transaction(readonly=True) as tx:
        assert tx.backfills.require(first.id).completed_at == NOW


def test_cancel_fails_queued_runs_leaves_running_ones_and_completes(memory_store, dag):
    record, _ = _start(memory_store, dag)
    runs = _runs(memory_store)
    with memory_store.transaction() as tx:
        advance_run(tx, "etl", runs[0].run_id, RunState.QUEUED, RunState.RUNNING)
        cancelled = cancel_backfill(tx, record.id, now=NOW)
    assert cancelled.completed_at == NOW and cancelled.is_paused is True
    assert [r.state for r in _runs(memory_store)] == [RunState.RUNNING, RunState.FAILED, RunState.FAILED]
    with pytest.raises(ConflictError, match="already completed"), memory_store.transaction() as tx:
        cancel_backfill(tx, record.id, now=NOW)
    with pytest.raises(ConflictError), memory_store.transaction() as tx:
        pause_backfill(tx, record.id, False, now=NOW)


def test_pause_and_unpause(memory_store, dag):
    record, _ = _start(memory_store, dag)
    with memory_store.transaction() as tx:
        assert pause_backfill(tx, record.id, True, now=NOW).is_paused is True
        assert pause_backfill(tx, record.id, False, now=NOW).is_paused is False


def test_a_cron_partition_dag_backfills_runs_with_the_keys_the_scheduler_would_give(memory_store):
    daily = CronPartitionTimetable("0 0 * * *", timezone="UTC", key_format="%Y-%m-%d")
    dag = make_dag("etl", {"a": []}, timetable=daily.serialize())
    _start(memory_store, dag)
    runs = _runs(memory_store)
    assert [r.partition_key for r in runs] == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert [r.partition_date for r in runs] == [r.logical_date for r in runs]
    assert {r.backfill_id for r in runs} != {None}
