"""The scheduler and sub-DAGs (issue 15, SubDagOperator as Airflow 2.10): a sub-DAG is
never scheduled by its own timetable, and it is paused with its parent."""

from datetime import UTC, datetime

from brisa.scheduler.loop import _paused_dag_ids
from brisa.services.dags import refresh_next_run
from brisa.testing import make_dag, memory_store

NOW = datetime(2024, 3, 1, tzinfo=UTC)
DAILY = {"type": "DeltaDataIntervalTimetable", "delta": 86400.0}


def dags():
    parent = make_dag("parent", {"inner": []}, start_date=datetime(2024, 1, 1, tzinfo=UTC))
    child = make_dag(
        "parent.inner",
        {"a": []},
        timetable=DAILY,
        start_date=datetime(2024, 1, 1, tzinfo=UTC),
        catchup=True,
        is_subdag=True,
        parent_dag_id="parent",
    )
    return parent, child


def test_a_sub_dag_has_no_next_run_whatever_its_timetable():
    store = memory_store()
    _, child = dags()
    with store.transaction() as tx:
        tx.dags.upsert(child, paused_when_new=False, now=NOW)
        refresh_next_run(tx, child, now=NOW)
        assert tx.dags.schedulable(NOW) == []


def test_a_sub_dag_follows_its_parents_pause_not_its_own():
    store = memory_store()
    parent, child = dags()
    with store.transaction() as tx:
        tx.dags.upsert(parent, paused_when_new=False, now=NOW)
        tx.dags.upsert(child, paused_when_new=True, now=NOW)
        assert _paused_dag_ids(tx, {d.dag_id: d for d in (parent, child)}) == set()
        tx.dags.set_paused("parent", True)
        tx.dags.set_paused("parent.inner", False)
        assert _paused_dag_ids(tx, {d.dag_id: d for d in (parent, child)}) == {"parent", "parent.inner"}
