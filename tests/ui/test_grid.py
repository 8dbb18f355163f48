from datetime import UTC, datetime, timedelta

from brisa.states import RunState, TaskState
from brisa.testing import make_dag, make_run, make_ti
from brisa.ui.grid import build_grid
from tests.ui.helpers import grouped_dag

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_runs_are_columns_oldest_first() -> None:
    dag = make_dag("d", {"a": []})
    new = make_run("d", "new", run_after=T0 + timedelta(days=1), state=RunState.SUCCESS)
    old = make_run("d", "old", run_after=T0, state=RunState.SUCCESS)
    grid = build_grid(dag, [new, old], [make_ti("d", "a", TaskState.SUCCESS, run_id="new")])
    assert [run.run_id for run in grid.runs] == ["old", "new"]
    assert grid.cell("new", "a").state == "success"
    assert grid.cell("old", "a") is None
    assert not grid.is_live


def test_a_mapped_task_is_one_cell_with_a_count() -> None:
    dag = make_dag("d", {"m": []})
    run = make_run("d", "r", run_after=T0)
    tis = [
        make_ti("d", "m", TaskState.SUCCESS, run_id="r", map_index=0, try_number=1),
        make_ti("d", "m", TaskState.UP_FOR_RETRY, run_id="r", map_index=1, try_number=2),
    ]
    cell = build_grid(dag, [run], tis).cell("r", "m")
    assert (cell.state, cell.count, cell.try_number, cell.map_index) == ("up_for_retry", 2, 2, -1)


def test_group_rows_fold_their_members() -> None:
    run = make_run("d", "r", run_after=T0)
    tis = [
        make_ti("d", "g.a", TaskState.SUCCESS, run_id="r"),
        make_ti("d", "g.inner.b", TaskState.RUNNING, run_id="r"),
    ]
    grid = build_grid(grouped_dag(), [run], tis)
    assert grid.cell("r", "g").state == "running"
    assert grid.cell("r", "g.inner").state == "running"
    assert grid.is_live
