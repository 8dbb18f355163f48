"""build_workload: the one builder, from the serialized DAG and the store's rows."""

from __future__ import annotations

from datetime import UTC, datetime

from brisa.services.runs import trigger_run
from brisa.store.records import TaskKey
from brisa.testing import make_dag
from brisa.tries.build import build_workload, run_context
from brisa.tries.retry import RetryPolicy

NOW = datetime(2026, 1, 2, tzinfo=UTC)
OPTIONS = {
    "t": {
        "retry_delay": 30.0,
        "retry_exponential_backoff": True,
        "max_retry_delay": 90.0,
        "execution_timeout": 12.0,
        "queue": "q1",
        "pool": "p1",
    }
}


def test_a_workload_carries_the_tasks_retry_policy_timeout_and_placement(store) -> None:
    dag = make_dag("d", {"t": []}, task_options=OPTIONS, generation="3")
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=NOW)
        run = trigger_run(tx, dag, now=NOW, conf={"a": 1})
        ti = tx.tis.require(TaskKey("d", run.run_id, "t"))
        context = run_context(tx, "d", run.run_id)
    workload = build_workload(dag, ti.key, context, try_number=2, max_tries=4, ti=ti, dag_hash="h")
    assert workload.retry == RetryPolicy(30.0, True, 90.0)
    assert workload.execution_timeout == 12.0
    assert (workload.queue, workload.pool) == (ti.queue, ti.pool)
    assert (workload.try_number, workload.max_tries, workload.dag_hash) == (2, 4, "h")
    assert (workload.fileloc, workload.generation) == ("/dags/d.py", "3")
    assert workload.run.conf == {"a": 1} and workload.run.run_id == run.run_id
    assert (workload.next_method, workload.next_kwargs) == (None, None)  # a fresh try


def test_a_resumed_deferred_try_gets_its_next_method_from_the_row(store) -> None:
    from dataclasses import replace

    dag = make_dag("d", {"t": []}, task_options=OPTIONS)
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=NOW)
        run = trigger_run(tx, dag, now=NOW)
        ti = tx.tis.require(TaskKey("d", run.run_id, "t"))
        context = run_context(tx, "d", run.run_id)
    resumed = replace(ti, next_method="execute_complete", next_kwargs='{"event": 2}')
    workload = build_workload(dag, ti.key, context, try_number=1, max_tries=0, ti=resumed)
    assert (workload.next_method, workload.next_kwargs) == ("execute_complete", '{"event": 2}')


def test_a_try_run_outside_the_scheduler_gets_the_default_placement(store) -> None:
    dag = make_dag("d", {"t": []}, task_options=OPTIONS)
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=NOW)
        run = trigger_run(tx, dag, now=NOW)
        context = run_context(tx, "d", run.run_id)
    workload = build_workload(dag, TaskKey("d", run.run_id, "t", 3), context, try_number=1, max_tries=0)
    assert (workload.queue, workload.pool, workload.priority_weight) == ("default", "default_pool", 1)
    assert workload.key.map_index == 3 and workload.retry.retry_delay == 30.0
