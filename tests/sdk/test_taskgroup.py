from __future__ import annotations

from datetime import datetime

import pytest

from brisa.sdk.dag import DAG
from brisa.sdk.decorators import task
from brisa.sdk.exceptions import AirflowException, DuplicateTaskIdFound, UnsupportedFeatureError
from brisa.sdk.mapped_group import MappedTaskGroup
from brisa.sdk.operators.bash import BashOperator
from brisa.sdk.operators.empty import EmptyOperator
from brisa.sdk.taskgroup import TaskGroup, task_group
from brisa.serialized import MappedInput, MappedSpec

from .fakes import MemoryRuntime, run_task

START = datetime(2024, 1, 1)


def test_task_ids_are_prefixed_with_nested_group_ids():
    with DAG("d", schedule=None, start_date=START) as dag, TaskGroup("outer", tooltip="tip") as outer:
        a = EmptyOperator(task_id="a")
        with TaskGroup("inner") as inner:
            b = EmptyOperator(task_id="b")
    assert (a.task_id, b.task_id) == ("outer.a", "outer.inner.b")
    assert inner.group_id == "outer.inner" and inner.parent_group is outer
    assert a.task_group is outer and b.label == "b"
    assert set(dag.task_group_dict) == {None, "outer", "outer.inner"}
    assert [t.task_id for t in outer.iter_tasks()] == ["outer.a", "outer.inner.b"]


def test_prefix_group_id_false_keeps_task_ids():
    with DAG("d", schedule=None, start_date=START), TaskGroup("g", prefix_group_id=False) as g:
        a = EmptyOperator(task_id="a")
        with TaskGroup("h") as h:
            b = EmptyOperator(task_id="b")
    assert a.task_id == "a"
    assert h.group_id == "h"
    assert b.task_id == "h.b"
    assert g.children["a"] is a


def test_group_edges_use_roots_and_leaves():
    with DAG("d", schedule=None, start_date=START) as dag:
        start = EmptyOperator(task_id="start")
        with TaskGroup("g") as g:
            x = EmptyOperator(task_id="x")
            y = EmptyOperator(task_id="y")
            z = EmptyOperator(task_id="z")
            x >> z
            y >> z
        with TaskGroup("h") as h:
            EmptyOperator(task_id="only")
        start >> g >> h
    assert {t.task_id for t in g.roots} == {"g.x", "g.y"}
    assert [t.task_id for t in g.leaves] == ["g.z"]
    assert start.downstream_task_ids == {"g.x", "g.y"}
    assert dag.get_task("h.only").upstream_task_ids == {"g.z"}


def test_duplicate_group_ids_and_clashes_with_tasks():
    with DAG("d", schedule=None, start_date=START):
        TaskGroup("g")
        with pytest.raises(DuplicateTaskIdFound, match="group_id 'g' has already been added"):
            TaskGroup("g")
        EmptyOperator(task_id="t")
        with pytest.raises(DuplicateTaskIdFound, match="conflicts with an existing task_id"):
            TaskGroup("t")
        with pytest.raises(DuplicateTaskIdFound, match="conflicts with an existing group_id"):
            EmptyOperator(task_id="g")


def test_group_outside_a_dag_is_an_error():
    with pytest.raises(AirflowException, match="inside a dag"):
        TaskGroup("lonely")


def test_task_group_decorator_returns_the_group_or_the_result():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task_group
        def section():
            """Section tooltip."""
            EmptyOperator(task_id="inside")

        @task_group(group_id="named")
        def with_result():
            @task
            def value():
                return 1

            return value()

        first = section()
        second = section()
        result = with_result()
    assert isinstance(first, TaskGroup) and first.tooltip == "Section tooltip."
    assert second.group_id == "section__1"
    assert dag.has_task("section__1.inside")
    assert result.operator.task_id == "named.value"


def _mapped_group_dag():
    with DAG("d", schedule=None, start_date=START) as dag:

        @task
        def numbers():
            return [1, 2, 3]

        @task
        def add(x, y):
            return x + y

        @task
        def double(value):
            return 2 * value

        @task
        def total(values):
            return sum(values)

        @task_group
        def tg(x, y):
            """Adds, then doubles."""
            doubled = double(add(x, y))
            BashOperator(task_id="echo", bash_command="echo {{ ti.map_index }}")
            return doubled

        total(tg.partial(y=10).expand(x=numbers()))
    return dag


def test_a_mapped_task_group_maps_every_task_of_it_as_airflow_2_5():
    dag = _mapped_group_dag()
    group = dag.task_group.get_task_group_dict()["tg"]
    assert isinstance(group, MappedTaskGroup) and group.tooltip == "Adds, then doubles."
    spec = MappedSpec("expand", (MappedInput("x", xcom_task_id="numbers"),), group="tg")
    for task_id in ("tg.add", "tg.double", "tg.echo"):
        assert dag.get_task(task_id).is_mapped and dag.get_task(task_id).to_spec() == spec
    assert not dag.get_task("total").is_mapped
    # The input's producer comes before every root of the group, as Airflow's MappedTaskGroup.
    assert dag.get_task("tg.echo").upstream_task_ids == {"numbers"}
    assert dag.get_task("tg.double").upstream_task_ids == {"tg.add"}
    assert dag.get_task("total").upstream_task_ids == {"tg.double"}


def test_mapped_group_tasks_get_their_index_s_arguments_and_neighbour_values():
    dag = _mapped_group_dag()
    runtime = MemoryRuntime()
    run_task(dag, "numbers", runtime)
    added = [run_task(dag, "tg.add", runtime, map_index=i) for i in range(3)]
    for index, value in enumerate(added):
        runtime.push("tg.add", value, map_index=index)
    doubled = [run_task(dag, "tg.double", runtime, map_index=i) for i in range(3)]
    for index, value in enumerate(doubled):
        runtime.push("tg.double", value, map_index=index)
    assert (added, doubled) == ([11, 12, 13], [22, 24, 26])
    assert run_task(dag, "total", runtime) == 72  # downstream of the group: every index's value


def test_mapped_task_group_argument_checks_as_airflow():
    @task_group
    def section(x, y=1):
        pass

    with DAG("d", schedule=None, start_date=START):
        with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
            section.expand(z=[1])
        with pytest.raises(TypeError, match="given to partial"):
            section.partial(x=1).expand(x=[1])
        with pytest.raises(ValueError, match="unexpected type 'int'"):
            section.expand(x=1)
        with pytest.raises(TypeError, match="no arguments to expand"):
            section.expand()


def test_mapping_inside_a_mapped_task_group_is_refused():
    with DAG("d", schedule=None, start_date=START):

        @task
        def one(v):
            return v

        @task_group
        def outer(x):
            one.expand(v=[1, 2])

        with pytest.raises(UnsupportedFeatureError, match=r"mapped task .* inside a mapped task group"):
            outer.expand(x=[1])
