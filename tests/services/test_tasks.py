"""brisa.services.tasks: clearing.

Clearing an ExternalTaskMarker clears the task it marks in the other DAG, as Airflow's
``DAG.clear`` does (Airflow 2.10 ``_get_task_instances(include_dependent_dags=True)``;
Airflow 3 keeps it): the marked task with its downstream, recursively through further
markers, up to the first marker's ``recursion_depth``."""

from datetime import UTC, datetime, timedelta

import pytest

from brisa.errors import DagError
from brisa.services.tasks import clear_task_instances
from brisa.states import RunState, TaskState
from brisa.testing import make_dag

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _marker(target_dag, target_task, *, depth=10, logical_date="{{ logical_date.isoformat() }}"):
    return {
        "operator": "ExternalTaskMarker",
        "extra": {
            "external_dag_id": target_dag,
            "external_task_id": target_task,
            "logical_date": logical_date,
            "recursion_depth": depth,
        },
    }


def _finished_run(tx, dag, logical=T0, run_id="manual__1"):
    tx.dags.upsert(dag, paused_when_new=False, now=T0)
    tx.runs.create(
        dag_id=dag.dag_id,
        run_id=run_id,
        run_type="manual",
        logical_date=logical,
        data_interval=(logical, logical),
        run_after=logical,
        now=T0,
        state=RunState.SUCCESS,
    )
    rows = [
        {"dag_id": dag.dag_id, "run_id": run_id, "task_id": t, "state": "success", "try_number": 1}
        for t in dag.tasks
    ]
    tx.tis.create_many(rows, now=T0)
    return tx.runs.get(dag.dag_id, run_id)


def _states(tx, dag_id, run_id="manual__1"):
    return {ti.task_id: ti.state for ti in tx.tis.for_run(dag_id, run_id)}


def _chain(depth=10):
    options = {"mark": _marker("child", "wait", depth=depth)}
    parent = make_dag("parent", {"start": [], "mark": ["start"]}, task_options=options)
    child = make_dag(
        "child",
        {"before": [], "wait": ["before"], "work": ["wait"], "mark_grandchild": ["work"]},
        task_options={"mark_grandchild": _marker("grandchild", "go", depth=depth)},
    )
    grandchild = make_dag("grandchild", {"go": [], "after": ["go"]})
    return parent, child, grandchild


def test_clearing_a_marker_clears_the_marked_task_and_its_downstream_recursively(store):
    dags = _chain()
    with store.transaction() as tx:
        runs = [_finished_run(tx, dag) for dag in dags]
        _finished_run(tx, dags[1], logical=T0 + timedelta(days=1), run_id="manual__2")
        mark = [ti for ti in tx.tis.for_run("parent", "manual__1") if ti.task_id == "mark"]
        cleared = clear_task_instances(tx, dags[0], runs[0], mark, now=T0)
    assert sorted((ti.dag_id, ti.task_id) for ti in cleared) == [
        ("child", "mark_grandchild"),
        ("child", "wait"),
        ("child", "work"),
        ("grandchild", "after"),
        ("grandchild", "go"),
        ("parent", "mark"),
    ]
    with store.transaction(readonly=True) as tx:
        assert _states(tx, "child") == {
            "before": TaskState.SUCCESS,
            "wait": None,
            "work": None,
            "mark_grandchild": None,
        }
        assert set(_states(tx, "child", "manual__2").values()) == {TaskState.SUCCESS}  # another date
        assert tx.runs.get("child", "manual__1").state == RunState.QUEUED
        assert tx.runs.get("grandchild", "manual__1").state == RunState.QUEUED


def test_a_chain_deeper_than_the_recursion_depth_is_refused_and_nothing_is_cleared(store):
    dags = _chain(depth=1)
    with store.transaction() as tx:
        runs = [_finished_run(tx, dag) for dag in dags]
    refused = pytest.raises(DagError, match="Maximum recursion depth 1 reached for ExternalTaskMarker")
    with refused, store.transaction() as tx:
        mark = [ti for ti in tx.tis.for_run("parent", "manual__1") if ti.task_id == "mark"]
        clear_task_instances(tx, dags[0], runs[0], mark, now=T0)
    with store.transaction(readonly=True) as tx:
        for dag in dags:
            assert set(_states(tx, dag.dag_id).values()) == {TaskState.SUCCESS}


def test_a_marker_uses_its_rendered_logical_date(store):
    parent = make_dag("parent", {"mark": []}, task_options={"mark": _marker("child", "wait")})
    child = make_dag("child", {"wait": []})
    yesterday = T0 - timedelta(days=1)
    with store.transaction() as tx:
        run = _finished_run(tx, parent)
        _finished_run(tx, child)
        _finished_run(tx, child, logical=yesterday, run_id="manual__0")
        key = tx.tis.for_run("parent", "manual__1")[0].key
        tx.tis.update_fields(key, rendered_fields={"logical_date": yesterday.isoformat()})
        clear_task_instances(tx, parent, run, tx.tis.for_run("parent", "manual__1"), now=T0)
    with store.transaction(readonly=True) as tx:
        assert _states(tx, "child", "manual__0") == {"wait": None}
        assert _states(tx, "child", "manual__1") == {"wait": TaskState.SUCCESS}


def test_clearing_a_task_keeps_its_task_state_keys_as_airflow_3_3(store):
    # Airflow 3.3 treats a clear like a retry for the task state store (3.4 deletes them).
    dag = make_dag("etl", {"extract": []})
    with store.transaction() as tx:
        run = _finished_run(tx, dag)
        ti = tx.tis.for_run("etl", "manual__1")[0]
        tx.task_state.set(ti.key, "job_id", "j1", now=T0, expires_at=None)
        assert clear_task_instances(tx, dag, run, [ti], now=T0) == [ti]
    with store.transaction(readonly=True) as tx:
        assert tx.task_state.keys(ti.key) == {"job_id": "j1"}
        assert _states(tx, "etl") == {"extract": None}
