"""The store's contract, run on in-memory SQLite, SQLite on disk and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta

import pytest

from brisa.errors import ConflictError, InvalidTransition, NotFoundError
from brisa.services.runs import create_run
from brisa.states import RunState, TaskState, advance_run, advance_ti
from brisa.store.records import TaskKey
from brisa.testing import make_dag

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _dag():
    return make_dag("etl", {"extract": [], "load": ["extract"]}, tags=("b", "a"), owners=("ana",))


def _run(tx, dag, run_id="manual__1", logical=T0):
    return create_run(
        tx,
        dag,
        run_id=run_id,
        run_type="manual",
        logical_date=logical,
        data_interval=None,
        run_after=logical,
        now=T0,
    )


def test_dag_upsert_list_and_tags(store):
    dag = _dag()
    with store.transaction() as tx:
        assert tx.dags.upsert(dag, paused_when_new=True, now=T0, source_code="code") is True
        assert tx.dags.upsert(dag, paused_when_new=False, now=T0) is False
    with store.transaction(readonly=True) as tx:
        record = tx.dags.require("etl")
        assert record.is_paused is True
        assert record.tags == ("a", "b")
        assert tx.dags.serialized("etl") == dag
        assert tx.dags.list(tags=["a"]).total == 1
        assert tx.dags.list(dag_id_pattern="tl").items[0].dag_id == "etl"
        assert tx.dags.list(dag_id_pattern="zzz").total == 0
    with pytest.raises(NotFoundError), store.transaction() as tx:
        tx.dags.set_paused("nope", False)


def test_run_creation_is_unique_by_id_and_logical_date(store):
    dag = _dag()
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        run = _run(tx, dag)
        assert run.state == RunState.QUEUED
        assert {t.task_id for t in tx.tis.for_run("etl", run.run_id)} == {"extract", "load"}
    with pytest.raises(ConflictError, match="already exists"), store.transaction() as tx:
        _run(tx, dag, run_id="manual__2")
    with store.transaction(readonly=True) as tx:
        assert tx.runs.list("etl").total == 1


def test_compare_and_set_lets_only_one_writer_win(store):
    dag = _dag()
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        _run(tx, dag)
    key = TaskKey("etl", "manual__1", "extract")
    with store.transaction() as tx:
        assert advance_ti(tx, key, None, TaskState.SCHEDULED) is True
        assert advance_ti(tx, key, None, TaskState.SCHEDULED) is False
        assert advance_ti(tx, key, TaskState.SCHEDULED, TaskState.QUEUED, try_number=1) is True
        assert advance_ti(tx, key, TaskState.QUEUED, TaskState.RUNNING, try_number_is=2) is False
        assert advance_ti(tx, key, TaskState.QUEUED, TaskState.RUNNING, try_number_is=1) is True
        assert advance_run(tx, "etl", "manual__1", RunState.QUEUED, RunState.RUNNING) is True
        assert advance_run(tx, "etl", "manual__1", RunState.QUEUED, RunState.RUNNING) is False
    with pytest.raises(InvalidTransition), store.transaction() as tx:
        advance_ti(tx, key, TaskState.SUCCESS, TaskState.RUNNING)


def test_state_cannot_be_written_around_the_state_machine(store):
    dag = _dag()
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        _run(tx, dag)
        with pytest.raises(ValueError, match="advance_ti"):
            tx.tis.update_fields(TaskKey("etl", "manual__1", "extract"), state="success")


def test_a_runs_task_instances_filter_by_state_with_none_meaning_no_state(store):
    # dag_run.get_task_instances(state=...) reads through this: Airflow's None is "no state yet".
    dag = make_dag("etl", {"extract": [], "load": ["extract"], "report": ["load"]})
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        _run(tx, dag)
        _run(tx, dag, run_id="manual__2", logical=T0 + timedelta(days=1))
        advance_ti(tx, TaskKey("etl", "manual__1", "extract"), None, TaskState.SCHEDULED)
        advance_ti(tx, TaskKey("etl", "manual__1", "load"), None, TaskState.UPSTREAM_FAILED)
    with store.transaction(readonly=True) as tx:

        def ids(states):
            return [ti.task_id for ti in tx.tis.for_run("etl", "manual__1", states=states)]

        assert ids(None) == ["extract", "load", "report"]
        assert ids([TaskState.SCHEDULED]) == ["extract"]
        assert ids(["upstream_failed", "scheduled"]) == ["extract", "load"]
        assert ids([None]) == ["report"]
        assert ids([None, "upstream_failed"]) == ["load", "report"]
        assert ids([]) == []
        assert ids(["failed"]) == []


def test_logs_append_in_order_and_tail(store):
    key = TaskKey("etl", "manual__1", "extract")
    with store.transaction() as tx:
        assert tx.logs.append(key, 1, ["one\n", "two\n"], now=T0) == 2
        assert tx.logs.append(key, 1, ["three\n"], now=T0) == 3
        tx.logs.append(key, 2, ["other try\n"], now=T0)
    with store.transaction(readonly=True) as tx:
        assert tx.logs.read(key, 1) == ("one\ntwo\nthree\n", 2)
        assert tx.logs.read(key, 1, after_seq=1) == ("three\n", 2)
        assert tx.logs.read(key, 1, after_seq=2) == ("", 2)


def test_xcom_round_trips_python_types(store):
    key = TaskKey("etl", "manual__1", "extract")
    value = {
        "when": T0,
        "day": date(2026, 1, 2),
        "pair": (1, 2),
        "gap": timedelta(minutes=5),
        "n": [1.5, None],
    }
    with store.transaction() as tx:
        tx.xcoms.set(key, "return_value", value, now=T0)
        tx.xcoms.set(key, "return_value", value, now=T0)
    with store.transaction(readonly=True) as tx:
        (record,) = tx.xcoms.pull(dag_id="etl", run_id="manual__1", task_ids=["extract"])
    assert record.value == value


def test_xcom_pull_with_no_key_gives_each_task_instances_latest_xcom(store):
    # Airflow's xcom_pull(key=None) lifts the key filter (1.10's example_xcom relies on it).
    pusher, returner = TaskKey("etl", "manual__1", "extract"), TaskKey("etl", "manual__1", "load")
    with store.transaction() as tx:
        tx.xcoms.set(pusher, "first", 1, now=T0)
        tx.xcoms.set(pusher, "second", 2, now=T0 + timedelta(seconds=1))
        tx.xcoms.set(returner, "return_value", "r", now=T0)
    with store.transaction(readonly=True) as tx:
        records = tx.xcoms.pull(dag_id="etl", run_id="manual__1", task_ids=["extract", "load"], key=None)
        assert tx.xcoms.pull(dag_id="etl", run_id="manual__1", task_ids=["extract"]) == []
    assert [(r.task_id, r.key, r.value) for r in records] == [
        ("extract", "second", 2),
        ("load", "return_value", "r"),
    ]


def test_import_errors_replace_per_file(store):
    with store.transaction() as tx:
        tx.dags.replace_import_errors(
            "/d/a.py", [{"lineno": 3, "message": "boom", "stacktrace": "tb"}], now=T0
        )
        tx.dags.replace_import_errors(
            "/d/b.py", [{"lineno": 1, "message": "bad", "stacktrace": "tb"}], now=T0
        )
        tx.dags.replace_import_errors("/d/a.py", [], now=T0)
    with store.transaction(readonly=True) as tx:
        errors = tx.dags.import_errors().items
    assert [(e.filename, e.message) for e in errors] == [("/d/b.py", "bad")]


def test_jobs_heartbeat_and_death(store):
    with store.transaction() as tx:
        job = tx.jobs.start("scheduler", hostname="h", pid=1, now=T0)
        assert tx.jobs.heartbeat(job, T0 + timedelta(seconds=5))
        assert [j.id for j in tx.jobs.stale(T0 + timedelta(seconds=100), timedelta(seconds=30))] == [job]
        assert tx.jobs.mark_failed(job, now=T0) is True
        assert tx.jobs.mark_failed(job, now=T0) is False
        assert tx.jobs.heartbeat(job, T0) is False
        assert tx.jobs.alive_ids([job]) == set()


def test_default_pool_exists_after_migration(store):
    with store.transaction(readonly=True) as tx:
        assert tx.pools.slots()["default_pool"] == 128


def test_migration_head_constant_matches_scripts():
    from alembic.script import ScriptDirectory

    from brisa.store.migrations import HEAD

    script = ScriptDirectory("brisa/store/migrations")
    assert script.get_current_head() == HEAD


def test_task_instance_record_fields_follow_the_table_column_order():
    from dataclasses import fields

    from brisa.store import schema
    from brisa.store.records import TiRecord

    assert [f.name for f in fields(TiRecord)] == [c.name for c in schema.task_instance.columns]


def test_recent_states_are_the_newest_runs_of_each_dag(store):
    dag, other = _dag(), make_dag("other", {"t": []})
    with store.transaction() as tx:
        for day in range(4):
            _run(tx, dag, run_id=f"r{day}", logical=T0 + timedelta(days=day))
        _run(tx, other, run_id="only")
        advance_run(tx, "etl", "r3", RunState.QUEUED, RunState.RUNNING)
    with store.transaction(readonly=True) as tx:
        recent = tx.runs.recent_states(["etl", "other", "missing"], per_dag=2)
        assert tx.runs.recent_states([]) == {}
    assert [r.run_id for r in recent["etl"]] == ["r3", "r2"]
    assert recent["etl"][0].state == RunState.RUNNING and recent["etl"][1].state == RunState.QUEUED
    assert recent["etl"][0].run_after == T0 + timedelta(days=3)
    assert [r.run_id for r in recent["other"]] == ["only"] and "missing" not in recent


def test_the_schedule_is_stored_in_words(store):
    dag = make_dag(
        "cron",
        {"a": []},
        timetable={"type": "CronDataIntervalTimetable", "expression": "0 3 * * *", "timezone": "UTC"},
    )
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=True, now=T0)
        assert tx.dags.require("cron").timetable_description == "At 03:00"


def test_an_integer_too_large_for_the_database_is_invalid_input(store):
    from brisa.errors import InvalidInputError

    with pytest.raises(InvalidInputError), store.transaction(readonly=True) as tx:
        tx.dags.import_error(-9223372036854775809)


def test_the_dag_files_source_is_kept_with_the_serialized_dag(store):
    with store.transaction() as tx:
        tx.dags.upsert(_dag(), paused_when_new=True, now=T0, source_code="print('etl')\n")
    with store.transaction(readonly=True) as tx:
        assert tx.dags.source_code("etl") == "print('etl')\n"
        assert tx.dags.source_code("nope") is None


def test_deleting_a_dag_removes_its_rows_and_its_files_import_errors_only(store):
    dag, other = _dag(), make_dag("other", {"t": []}, fileloc="/dags/other.py")
    with store.transaction() as tx:
        for each in (dag, other):
            tx.dags.upsert(each, paused_when_new=False, now=T0)
            _run(tx, each)
        key = TaskKey("etl", "manual__1", "extract")
        tx.xcoms.set(key, "return_value", 1, now=T0)
        tx.logs.append(key, 1, ["line\n"], now=T0)
        tx.audit.record("trigger_dag_run", now=T0, owner="ana", dag_id="etl")
        for fileloc in (dag.fileloc, other.fileloc):
            tx.dags.replace_import_errors(fileloc, [{"message": "boom"}], now=T0)
    with store.transaction() as tx:
        tx.dags.delete("etl")
    with store.transaction(readonly=True) as tx:
        assert tx.dags.get("etl") is None and tx.dags.serialized("etl") is None
        assert tx.runs.list("etl").total == 0 and tx.tis.for_run("etl", "manual__1") == []
        assert tx.xcoms.pull(dag_id="etl", run_id="manual__1", task_ids=["extract"]) == []
        assert tx.logs.read(key, 1) == ("", -1)
        assert tx.dags.search_tags().items == []
        assert [e.filename for e in tx.dags.import_errors().items] == ["/dags/other.py"]
        assert [e.event for e in tx.audit.list(dag_id="etl").items] == ["trigger_dag_run"]
        assert tx.runs.list("other").total == 1 and len(tx.tis.for_run("other", "manual__1")) == 1


def test_xcom_create_refuses_an_existing_key_and_update_keeps_the_timestamp(store):
    key = TaskKey("etl", "manual__1", "extract", 2)
    with store.transaction() as tx:
        created = tx.xcoms.create(key, "rows", {"n": [1, 2]}, now=T0)
        assert (created.value, created.timestamp, created.map_index) == ({"n": [1, 2]}, T0, 2)
        assert tx.xcoms.get(key, "other") is None
        assert tx.xcoms.get(key._replace(map_index=-1), "rows") is None
    exists = "`rows` with mentioned task instance already exists"
    with pytest.raises(ConflictError, match=exists), store.transaction() as tx:
        tx.xcoms.create(key, "rows", 3, now=T0 + timedelta(hours=1))
    with store.transaction() as tx:
        updated = tx.xcoms.update(key, "rows", (T0, None))
        assert (updated.value, updated.timestamp) == ((T0, None), T0)
    missing = "`nope` with mentioned task instance doesn't exist"
    with pytest.raises(NotFoundError, match=missing), store.transaction() as tx:
        tx.xcoms.update(key, "nope", 1)
    with store.transaction(readonly=True) as tx:
        (pulled,) = tx.xcoms.pull(dag_id="etl", run_id="manual__1", task_ids=["extract"], key="rows")
    assert pulled.value == (T0, None)
