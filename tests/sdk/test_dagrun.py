"""``dag_run.get_task_instances()`` / ``get_task_instance()`` with Airflow 2's semantics."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from brisa.runtime import NoRuntimeError, use_runtime
from brisa.sdk.dagrun import DagRun, TaskInstanceView, wanted_states
from brisa.sdk.state import State, TaskInstanceState
from tests.sdk.fakes import MemoryRuntime

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def runtime() -> MemoryRuntime:
    runtime = MemoryRuntime(dag_id="etl", run_id="manual__1")
    runtime.add_ti(
        "extract",
        "success",
        try_number=1,
        start_date=T0,
        end_date=datetime(2024, 1, 1, 0, 0, 5, tzinfo=UTC),
        duration=5.0,
        operator="PythonOperator",
        hostname="worker-1",
    )
    runtime.add_ti("load", "failed", try_number=2, max_tries=1, pool="db", queue="q", priority_weight=3)
    runtime.add_ti("notify", None)
    runtime.add_ti("shard", "failed", map_index=0)
    runtime.add_ti("shard", "success", map_index=1)
    return runtime


def _run(**options) -> DagRun:
    return DagRun(dag_id="etl", run_id="manual__1", logical_date=T0, **options)


def _ids(tis: list[TaskInstanceView]) -> list[tuple[str, int]]:
    return [(ti.task_id, ti.map_index) for ti in tis]


def test_every_task_instance_of_the_run_with_airflows_attributes(runtime):
    with use_runtime(runtime):
        tis = _run().get_task_instances()
    assert _ids(tis) == [("extract", -1), ("load", -1), ("notify", -1), ("shard", 0), ("shard", 1)]
    extract, load = tis[0], tis[1]
    assert (extract.dag_id, extract.run_id, extract.state, extract.try_number) == (
        "etl",
        "manual__1",
        "success",
        1,
    )
    assert (extract.start_date, extract.duration, extract.operator, extract.hostname) == (
        T0,
        5.0,
        "PythonOperator",
        "worker-1",
    )
    assert extract.end_date == datetime(2024, 1, 1, 0, 0, 5, tzinfo=UTC)
    assert extract.logical_date == extract.execution_date == T0
    assert (load.pool, load.queue, load.priority_weight, load.max_tries) == ("db", "q", 3, 1)
    assert repr(load) == "<TaskInstance: etl.load manual__1 [failed]>"
    assert repr(tis[3]) == "<TaskInstance: etl.shard manual__1 map_index=0 [failed]>"


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("failed", [("load", -1), ("shard", 0)]),
        (TaskInstanceState.FAILED, [("load", -1), ("shard", 0)]),
        (["success", "failed"], [("extract", -1), ("load", -1), ("shard", 0), ("shard", 1)]),
        ({State.SUCCESS}, [("extract", -1), ("shard", 1)]),
        ([None], [("notify", -1)]),
        ([State.NONE, "failed"], [("load", -1), ("notify", -1), ("shard", 0)]),
        (None, [("extract", -1), ("load", -1), ("notify", -1), ("shard", 0), ("shard", 1)]),
        ([], [("extract", -1), ("load", -1), ("notify", -1), ("shard", 0), ("shard", 1)]),
        ("running", []),
    ],
)
def test_the_state_filter_takes_a_state_a_list_with_none_or_nothing(runtime, state, expected):
    with use_runtime(runtime):
        assert _ids(_run().get_task_instances(state=state)) == expected


def test_states_reach_the_runtime_as_plain_names(runtime):
    # The filter crosses a socket to the supervisor: enum members become their values.
    with use_runtime(runtime):
        _run().get_task_instances(state=[TaskInstanceState.FAILED, None])
        _run().get_task_instances(State.SUCCESS, session=object())
    assert [call["states"] for call in runtime.ti_calls] == [["failed", None], ["success"]]
    assert all(type(s) is str for s in runtime.ti_calls[1]["states"])


@pytest.mark.parametrize(
    ("state", "expected"),
    [(None, None), ("", None), ((), None), ("up_for_retry", ["up_for_retry"]), ((None, "x"), [None, "x"])],
)
def test_wanted_states(state, expected):
    assert wanted_states(state) == expected


def test_one_task_instance_by_task_id_and_map_index(runtime):
    with use_runtime(runtime):
        run = _run()
        assert run.get_task_instance("load").state == "failed"
        assert run.get_task_instance("shard", map_index=1).state == "success"
        assert run.get_task_instance("shard") is None  # mapped: no map_index -1
        assert run.get_task_instance("nope") is None


def test_a_view_is_read_only_and_current_state_reads_again(runtime):
    with use_runtime(runtime):
        load = _run().get_task_instance("load")
        with pytest.raises(dataclasses.FrozenInstanceError):
            load.state = "success"
        runtime.task_instances[1]["state"] = "success"
        assert load.current_state() == "success"
        assert load.state == "failed"
        assert load.get_dagrun().run_id == "manual__1"


def test_log_url_points_at_the_task_instance_page_of_the_web_ui(runtime):
    with use_runtime(runtime):
        default = _run().get_task_instance("load")
        tis = _run(ui_url=lambda: "https://brisa.example.com/").get_task_instances(state="failed")
    assert default.log_url == "http://localhost:8080/dags/etl/task?run_id=manual__1&task_id=load"
    assert [ti.log_url for ti in tis] == [
        "https://brisa.example.com/dags/etl/task?run_id=manual__1&task_id=load",
        "https://brisa.example.com/dags/etl/task?run_id=manual__1&task_id=shard&map_index=0",
    ]


def test_the_dag_id_and_run_id_are_quoted_in_log_url():
    run = DagRun(dag_id="a/b c", run_id="manual__2024-01-01T00:00:00+00:00")
    ti = TaskInstanceView(dag_id="a/b c", task_id="t", run_id=run.run_id, dag_run=run)
    assert ti.log_url == (
        "http://localhost:8080/dags/a%2Fb%20c/task?run_id=manual__2024-01-01T00%3A00%3A00%2B00%3A00&task_id=t"
    )


def test_the_running_task_instance_links_its_page_too():
    # context["ti"].log_url is what alerting callbacks put in their messages
    from brisa.sdk.taskinstance import TaskInstance

    run = _run(ui_url=lambda: "https://brisa.example.com")
    ti = TaskInstance(dag_id="etl", task_id="shard", run_id="manual__1", map_index=3, dag_run=run)
    assert ti.log_url == "https://brisa.example.com/dags/etl/task?run_id=manual__1&task_id=shard&map_index=3"
    assert TaskInstance(dag_id="etl", task_id="t", run_id="r").log_url.startswith("http://localhost:8080/")


def test_unknown_fields_from_a_newer_runtime_are_ignored(runtime):
    runtime.add_ti("later", "queued", external_executor_id="x")
    with use_runtime(runtime):
        assert _run().get_task_instance("later").state == "queued"


def test_outside_a_task_it_is_brisas_clear_error():
    with pytest.raises(NoRuntimeError, match="task instances"):
        _run().get_task_instances()
    with pytest.raises(NoRuntimeError):
        _run().get_task_instance("extract")
