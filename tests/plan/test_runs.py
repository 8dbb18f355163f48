"""Which queued runs start: the pure planner, with Airflow 3's per-backfill max_active_runs."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from brisa.plan.runs import BackfillLimit, running_counts, runs_to_start
from brisa.states import RunState
from brisa.store.records import RunRecord

T0 = datetime(2024, 1, 1, tzinfo=UTC)
_BASE = RunRecord(
    id=0,
    dag_id="etl",
    run_id="",
    run_type="manual",
    state=RunState.QUEUED,
    logical_date=None,
    data_interval_start=None,
    data_interval_end=None,
    run_after=T0,
    queued_at=T0,
    start_date=None,
    end_date=None,
    conf={},
    triggered_by=None,
    triggering_user=None,
    creating_job_id=None,
    note=None,
    clear_number=0,
    dag_hash=None,
    updated_at=T0,
)


def _run(run_id, id, *, backfill_id=None, state=RunState.QUEUED, day=0):
    run_type = "backfill" if backfill_id is not None else "scheduled"
    return replace(
        _BASE,
        id=id,
        run_id=run_id,
        run_type=run_type,
        state=state,
        backfill_id=backfill_id,
        run_after=T0 + timedelta(days=day),
    )


def _ids(runs):
    return [r.run_id for r in runs]


def test_a_backfill_is_limited_by_its_own_max_active_runs_not_the_dags():
    queued = [_run(f"b{i}", i, backfill_id=7) for i in range(1, 6)]
    started = runs_to_start(queued, running=0, max_active_runs=1, backfills={7: BackfillLimit(3)})
    assert _ids(started) == ["b1", "b2", "b3"]  # the DAG's max_active_runs=1 does not apply


def test_running_runs_of_the_backfill_count_against_it_only():
    queued = [_run("b3", 3, backfill_id=7), _run("b4", 4, backfill_id=7), _run("s1", 5, day=1)]
    started = runs_to_start(
        queued,
        running=0,
        max_active_runs=1,
        backfills={7: BackfillLimit(2)},
        running_per_backfill={7: 1},
    )
    assert _ids(started) == ["s1", "b3"]  # the DAG's own run still starts: backfills do not use its room


def test_the_dags_runs_are_not_held_by_a_full_backfill_and_vice_versa():
    queued = [_run("s1", 1), _run("b1", 2, backfill_id=7)]
    assert _ids(runs_to_start(queued, running=1, max_active_runs=1, backfills={7: BackfillLimit(1)})) == [
        "b1"
    ]
    full = runs_to_start(
        queued, running=0, max_active_runs=1, backfills={7: BackfillLimit(1)}, running_per_backfill={7: 1}
    )
    assert _ids(full) == ["s1"]


def test_two_backfills_have_separate_limits_and_a_paused_one_starts_nothing():
    queued = [_run("a1", 1, backfill_id=1), _run("a2", 2, backfill_id=1), _run("b1", 3, backfill_id=2)]
    backfills = {1: BackfillLimit(1), 2: BackfillLimit(5, is_paused=True)}
    assert _ids(runs_to_start(queued, running=0, max_active_runs=16, backfills=backfills)) == ["a1"]


def test_backfill_runs_start_in_their_creation_order_after_the_others():
    queued = [_run("b_late", 2, backfill_id=1, day=9), _run("b_early", 5, backfill_id=1), _run("s", 9, day=3)]
    started = runs_to_start(queued, running=0, max_active_runs=16, backfills={1: BackfillLimit(10)})
    assert _ids(started) == ["s", "b_late", "b_early"]  # run_backwards created the latest date first


def test_runs_without_a_backfill_record_count_as_the_dags():
    # ``brisa dags backfill`` (Airflow 2's form) keeps no record; nor does a deleted backfill.
    queued = [
        _run("old1", 1, backfill_id=None),
        _run("gone1", 2, backfill_id=99),
        _run("gone2", 3, backfill_id=99),
    ]
    assert _ids(runs_to_start(queued, running=0, max_active_runs=2)) == ["old1", "gone1"]


def test_running_counts_split_the_dags_runs_from_each_backfills():
    runs = [
        _run("s", 1, state=RunState.RUNNING),
        _run("b1", 2, backfill_id=7, state=RunState.RUNNING),
        _run("b2", 3, backfill_id=7, state=RunState.RUNNING),
        _run("b3", 4, backfill_id=7),
        _run("gone", 5, backfill_id=99, state=RunState.RUNNING),
    ]
    per_dag, per_backfill = running_counts(runs, {7: BackfillLimit(2)})
    assert per_dag == {"etl": 2} and per_backfill == {7: 2}
