"""List pages cost what the page holds, not what the history holds (issue 21's history
curve): counted in SQLite virtual machine steps, which are deterministic, not in time."""

from datetime import UTC, datetime, timedelta

from brisa.store import schema as s
from brisa.testing import make_dag

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _add_history(store, first, count):
    """``count`` more finished runs of DAG ``d``, two task instances each."""
    runs, tis = [], []
    for r in range(first, first + count):
        when = T0 + timedelta(hours=r)
        run_id = f"scheduled__{r}"
        runs.append(
            {"dag_id": "d", "run_id": run_id, "run_type": "scheduled", "state": "success"}
            | {"logical_date": when, "run_after": when, "conf": "{}", "clear_number": 0}
        )
        tis += [{"dag_id": "d", "run_id": run_id, "task_id": t, "state": "success"} for t in ("a", "b")]
    with store.transaction() as tx:
        tx.conn.execute(s.dag_run.insert(), runs)
        tx.conn.execute(s.task_instance.insert(), tis)


def _steps(store, read):
    """SQLite VM steps that ``read(tx)`` costs."""
    with store.transaction(readonly=True) as tx:
        raw = tx.conn.connection.driver_connection
        steps = [0]

        def count():
            steps[0] += 1
            return 0  # go on

        raw.set_progress_handler(count, 1)
        try:
            read(tx)
        finally:
            raw.set_progress_handler(None, 1)
    return steps[0]


def _growth(memory_store, read):
    with memory_store.transaction() as tx:
        tx.dags.upsert(make_dag("d", {"a": [], "b": ["a"]}), paused_when_new=False, now=T0)
    _add_history(memory_store, 0, 200)
    small = _steps(memory_store, read)
    _add_history(memory_store, 200, 1800)
    return small, _steps(memory_store, read)


def test_the_default_task_instance_page_does_not_sort_the_whole_table(memory_store):
    # Ordered by map_index (Airflow's default) from an index, the total aside: 10x the rows
    # used to cost 10x the steps plus a sort of every row.
    def page(tx):
        assert len(tx.tis.search(limit=50).items) == 50

    small, big = _growth(memory_store, page)
    assert big < 4 * small


def test_the_newest_runs_per_dag_read_only_those_runs(memory_store):
    def recent(tx):
        recent = tx.runs.recent_states(["d"], per_dag=3)["d"]
        latest = tx.runs.latest(["d"], per_dag=3)["d"]
        assert [r.run_id for r in recent] == [r.run_id for r in latest]
        assert len(recent) == 3 and recent[0].run_after > recent[1].run_after > recent[2].run_after

    small, big = _growth(memory_store, recent)
    assert big < 2 * small
