from __future__ import annotations

from datetime import datetime

import pytest

from brisa.sdk.dag import DAG
from brisa.sdk.decorators import task
from brisa.sdk.exceptions import AirflowException, DuplicateTaskIdFound, UnsupportedFeatureError
from brisa.sdk.operators.empty import EmptyOperator
from brisa.sdk.taskgroup import TaskGroup, task_group

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


def test_mapped_task_groups_are_unsupported():
    @task_group
    def section(x):
        pass

    with pytest.raises(UnsupportedFeatureError, match="mapped task groups"):
        section.expand(x=[1])
