"""The listing queries the REST API pages through (``search`` methods of the repositories)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from brisa.api.schemas import Range
from brisa.errors import NotFoundError
from brisa.services.runs import trigger_run
from brisa.states import RunState
from brisa.testing import make_dag


def add_runs(store, now, count):  # type: ignore[no-untyped-def]
    dag = make_dag("etl", {"a": []}, owners=("anna", "bob"))
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=now)
        return [trigger_run(tx, dag, now=now, logical_date=now + timedelta(days=i)) for i in range(count)]


def test_pages_never_overlap_when_sorting_on_a_column_with_nulls_and_ties(store, now) -> None:
    runs = add_runs(store, now, 7)
    with store.transaction() as tx:
        for run in runs[:3]:
            tx.runs.compare_and_set("etl", run.run_id, [RunState.QUEUED], RunState.RUNNING, start_date=now)
    for descending in (False, True):
        seen = []
        with store.transaction(readonly=True) as tx:
            for offset in range(0, 7, 2):
                page = tx.runs.search(order=[("start_date", descending)], limit=2, offset=offset)
                seen += [run.run_id for run in page.items]
        assert sorted(seen) == sorted(run.run_id for run in runs)
        with store.transaction(readonly=True) as tx:
            ordered = tx.runs.search(order=[("start_date", descending)]).items
        assert [run.start_date is None for run in ordered] == [False] * 3 + [True] * 4  # nulls last


def test_bounds_and_duration_order(store, now) -> None:
    runs = add_runs(store, now, 3)
    with store.transaction() as tx:
        for i, run in enumerate(runs):
            tx.runs.compare_and_set(
                "etl",
                run.run_id,
                [RunState.QUEUED],
                RunState.SUCCESS,
                start_date=now,
                end_date=now + timedelta(seconds=10 * (3 - i)),
            )
    with store.transaction(readonly=True) as tx:
        window = tx.runs.search(bounds={"logical_date": Range(gt=now, lte=now + timedelta(days=1))}).items
        by_duration = tx.runs.search(order=[("duration", False)]).items
    assert [run.run_id for run in window] == [runs[1].run_id]
    assert [run.run_id for run in by_duration] == [run.run_id for run in reversed(runs)]


def test_owners_match_whole_names(store, now) -> None:
    add_runs(store, now, 0)
    with store.transaction(readonly=True) as tx:
        assert [d.dag_id for d in tx.dags.search(owners=["bob"]).items] == ["etl"]
        assert tx.dags.search(owners=["ann"]).items == []


def test_a_page_and_its_total_take_one_statement_and_empty_pages_still_count(store, now) -> None:
    import sqlalchemy as sa

    add_runs(store, now, 5)
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with store.transaction(readonly=True) as tx:
        page = tx.runs.search(limit=2, offset=1)
        tis = tx.tis.search(limit=2)
        dags = tx.dags.search(limit=1)
    assert (len(page.items), page.total) == (2, 5)
    assert (len(tis.items), tis.total) == (2, 5)
    assert (len(dags.items), dags.total) == (1, 1)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4  # runs, tis, dags, and the dags' tags: no count queries
    with store.transaction(readonly=True) as tx:
        assert tx.runs.search(limit=2, offset=9).total == 5  # past the end
        assert tx.runs.search(limit=0).total == 5
        assert tx.runs.search().total == 5


def test_tag_names_are_distinct_filtered_ordered_and_counted(store, now) -> None:
    with store.transaction() as tx:
        for dag_id, tags in (("a", ("etl", "Daily")), ("b", ("etl", "hourly")), ("c", ())):
            tx.dags.upsert(make_dag(dag_id, {"t": []}, tags=tags), paused_when_new=False, now=now)
    with store.transaction(readonly=True) as tx:
        every = tx.dags.search_tags()
        assert (every.items, every.total) == (["Daily", "etl", "hourly"], 3)
        assert tx.dags.search_tags(name_like="%DAILY%").items == ["Daily"]  # case-insensitive
        assert tx.dags.search_tags(descending=True).items == ["hourly", "etl", "Daily"]
        page = tx.dags.search_tags(limit=1, offset=1)
        assert (page.items, page.total) == (["etl"], 3)
        assert tx.dags.search_tags(limit=2, offset=5).total == 3


def test_run_counts_by_dag_and_state_take_one_statement(store, now) -> None:
    import sqlalchemy as sa

    runs = add_runs(store, now, 3)
    with store.transaction() as tx:
        tx.runs.compare_and_set("etl", runs[0].run_id, [RunState.QUEUED], RunState.SUCCESS)
        tx.dags.upsert(make_dag("idle", {"t": []}), paused_when_new=False, now=now)
        tx.runs.create(
            dag_id="gone",
            run_id="r",
            run_type="manual",
            logical_date=None,
            data_interval=None,
            run_after=now,
            now=now,
        )
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with store.transaction(readonly=True) as tx:
        counts = tx.runs.count_by_dag_and_state()
    assert counts == {"etl": {"queued": 2, "success": 1}}  # no runs: absent; no DAG row: not counted
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    with store.transaction(readonly=True) as tx:
        assert tx.runs.count_by_dag_and_state(["idle", "gone"]) == {}
        assert list(tx.runs.count_by_dag_and_state(["etl"])) == ["etl"]


def test_task_instances_by_lists_of_dags_runs_and_tasks(store, now) -> None:
    runs = add_runs(store, now, 2)
    other = make_dag("other", {"a": [], "b": []})
    with store.transaction() as tx:
        tx.dags.upsert(other, paused_when_new=False, now=now)
        trigger_run(tx, other, now=now, logical_date=now)
    with store.transaction(readonly=True) as tx:
        both = tx.tis.search(dag_ids=["etl", "other"], task_ids=["a"], order=[("id", False)])
        one_run = tx.tis.search(run_ids=[runs[1].run_id])
        unfiltered = tx.tis.search(dag_ids=[], run_ids=[], task_ids=[])
        by_executor = tx.tis.search(executors=["LocalExecutor"])
    assert [(ti.dag_id, ti.task_id) for ti in both.items] == [("etl", "a"), ("etl", "a"), ("other", "a")]
    assert [(ti.run_id, ti.task_id) for ti in one_run.items] == [(runs[1].run_id, "a")]
    assert unfiltered.total == 4
    assert (by_executor.items, by_executor.total) == ([], 0)


def add_audit(store, now) -> None:  # type: ignore[no-untyped-def]
    """Four rows a minute apart; the first two name the first run of ``etl``."""
    (run,) = add_runs(store, now, 1)
    with store.transaction() as tx:
        tx.audit.record("trigger_dag_run", now=now, owner="ana", dag_id="etl", run_id=run.run_id)
        tx.audit.record(
            "patch_task_instance",
            now=now + timedelta(minutes=1),
            owner="bob",
            dag_id="etl",
            run_id=run.run_id,
            task_id="a",
            map_index=-1,
            try_number=1,
        )
        tx.audit.record("login", now=now + timedelta(minutes=2), owner="ana", extra={"via": "token"})
        tx.audit.record("clear", now=now + timedelta(minutes=3), dag_id="gone", run_id="r")


def test_audit_search_filters_and_orders_like_airflows_event_logs(store, now) -> None:
    add_audit(store, now)
    with store.transaction(readonly=True) as tx:

        def events(**filters):  # type: ignore[no-untyped-def]
            return [record.event for record in tx.audit.search(**filters).items]

        assert events() == ["trigger_dag_run", "patch_task_instance", "login", "clear"]
        assert events(equal={"owner": "ana", "dag_id": None}) == ["trigger_dag_run", "login"]
        assert events(equal={"task_id": "a", "map_index": -1, "try_number": 1}) == ["patch_task_instance"]
        assert events(included_events=["login", "clear"], excluded_events=["clear"]) == ["login"]
        assert events(after=now, before=now + timedelta(minutes=2)) == ["patch_task_instance"]
        # Nulls last; the id breaks ties in the first key's direction.
        assert events(order=[("owner", True)]) == ["patch_task_instance", "login", "trigger_dag_run", "clear"]
        by_date = ["patch_task_instance", "trigger_dag_run", "clear", "login"]
        assert events(order=[("logical_date", False), ("id", True)]) == by_date
        page = tx.audit.search(order=[("dttm", True)], limit=1, offset=1)
        assert ([r.event for r in page.items], page.total) == (["login"], 4)


def test_audit_rows_carry_the_logical_date_of_the_run_they_name(store, now) -> None:
    add_audit(store, now)
    with store.transaction(readonly=True) as tx:
        rows = tx.audit.search().items
        first = tx.audit.require(rows[0].id)
        assert tx.audit.get(10**6) is None
        with pytest.raises(NotFoundError, match="Event Log with id: `1000000` not found"):
            tx.audit.require(10**6)
    assert [row.logical_date for row in rows] == [now, now, None, None]
    assert (first.event, first.owner, first.logical_date) == ("trigger_dag_run", "ana", now)
    assert rows[2].extra == '{"via": "token"}'
