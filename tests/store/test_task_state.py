"""The task state store's table (Airflow 3.3, AIP-103) on every backend."""

from datetime import UTC, datetime, timedelta

from brisa.store.records import TaskKey
from brisa.testing import make_dag
from tests.store.test_repos import _run

T0 = datetime(2026, 1, 1, tzinfo=UTC)
KEY = TaskKey("etl", "manual__1", "extract", -1)


def test_keys_are_per_task_instance_and_replace_earlier_values(store):
    other = TaskKey("etl", "manual__1", "extract", 0)
    with store.transaction() as tx:
        tx.task_state.set(KEY, "job_id", "spark_001", now=T0, expires_at=None)
        tx.task_state.set(KEY, "job_id", {"id": 2}, now=T0, expires_at=None)
        tx.task_state.set(other, "job_id", "mapped", now=T0, expires_at=None)
    with store.transaction(readonly=True) as tx:
        assert tx.task_state.get(KEY, "job_id", now=T0) == {"id": 2}
        assert tx.task_state.get(other, "job_id", now=T0) == "mapped"
        assert tx.task_state.get(KEY, "missing", now=T0, default="d") == "d"


def test_an_expired_key_reads_as_absent(store):
    with store.transaction() as tx:
        tx.task_state.set(KEY, "lock", 1, now=T0, expires_at=T0 + timedelta(hours=1))
    with store.transaction(readonly=True) as tx:
        assert tx.task_state.get(KEY, "lock", now=T0 + timedelta(minutes=59)) == 1
        assert tx.task_state.get(KEY, "lock", now=T0 + timedelta(hours=1)) is None


def test_delete_and_clear(store):
    with store.transaction() as tx:
        for name in ("a", "b"):
            tx.task_state.set(KEY, name, name, now=T0, expires_at=None)
        tx.task_state.delete(KEY, "a")
    with store.transaction(readonly=True) as tx:
        assert tx.task_state.keys(KEY) == {"b": "b"}
    with store.transaction() as tx:
        tx.task_state.clear(KEY)
    with store.transaction(readonly=True) as tx:
        assert tx.task_state.keys(KEY) == {}


def test_deleting_the_run_or_the_dag_deletes_its_task_state(store):
    dag = make_dag("etl", {"extract": []})
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        _run(tx, dag)
        _run(tx, dag, run_id="manual__2", logical=T0 + timedelta(days=1))
        tx.task_state.set(KEY, "k", 1, now=T0, expires_at=None)
        tx.task_state.set(KEY._replace(run_id="manual__2"), "k", 2, now=T0, expires_at=None)
        tx.runs.delete("etl", "manual__1")
    with store.transaction(readonly=True) as tx:
        assert tx.task_state.keys(KEY) == {}
        assert tx.task_state.keys(KEY._replace(run_id="manual__2")) == {"k": 2}
    with store.transaction() as tx:
        tx.dags.delete("etl")
    with store.transaction(readonly=True) as tx:
        assert tx.task_state.keys(KEY._replace(run_id="manual__2")) == {}
