from __future__ import annotations

from datetime import datetime

import pytest

from brisa.sdk.dag import DAG
from brisa.sdk.dependencies import Label, chain, chain_linear, cross_downstream
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.operators.empty import EmptyOperator

START = datetime(2024, 1, 1)


def make(*ids: str, dag_id: str = "d"):
    dag = DAG(dag_id, schedule=None, start_date=START)
    return dag, [EmptyOperator(task_id=i, dag=dag) for i in ids]


def edges(dag):
    return {(t.task_id, d) for t in dag.tasks for d in t.downstream_task_ids}


def test_shift_operators_and_return_values():
    dag, (a, b, c, d) = make("a", "b", "c", "d")
    assert (a >> b) is b
    assert (c << b) is b
    result = a >> [c, d]
    assert result == [c, d]
    assert edges(dag) == {("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")}


def test_lists_on_the_left():
    dag, (a, b, c, d) = make("a", "b", "c", "d")
    assert ([a, b] >> c) is c
    assert ([a, b] << d) is d
    assert edges(dag) == {("a", "c"), ("b", "c"), ("d", "a"), ("d", "b")}


def test_set_upstream_and_downstream():
    _, (a, b, c) = make("a", "b", "c")
    b.set_upstream(a)
    b.set_downstream([c])
    assert a.downstream_task_ids == {"b"} and c.upstream_task_ids == {"b"}
    assert [t.task_id for t in c.get_flat_relatives(upstream=True)] == ["a", "b"]
    assert a.get_flat_relative_ids(upstream=False) == {"b", "c"}


def test_relations_adopt_the_dag_of_the_other_task():
    dag = DAG("d", schedule=None, start_date=START)
    a = EmptyOperator(task_id="a", dag=dag)
    b = EmptyOperator(task_id="b")
    a >> b
    assert b.dag is dag and dag.has_task("b")


def test_relations_need_a_dag_and_a_single_one():
    with pytest.raises(AirflowException, match="don't have DAGs yet"):
        EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")
    _, (a,) = make("a", dag_id="one")
    _, (b,) = make("b", dag_id="two")
    with pytest.raises(AirflowException, match="more than one DAG"):
        a >> b


def test_non_tasks_are_rejected():
    _, (a,) = make("a")
    with pytest.raises(AirflowException, match="Relationships can only be set between operators"):
        a >> "b"


def test_chain_with_lists_pairs_them():
    dag, (a, b1, b2, c1, c2, d) = make("a", "b1", "b2", "c1", "c2", "d")
    chain(a, [b1, b2], [c1, c2], d)
    assert edges(dag) == {("a", "b1"), ("a", "b2"), ("b1", "c1"), ("b2", "c2"), ("c1", "d"), ("c2", "d")}


def test_chain_rejects_lists_of_different_lengths():
    _, (a, b, c) = make("a", "b", "c")
    with pytest.raises(AirflowException, match=r"different length Iterable. Got 2 and 1"):
        chain([a, b], [c])


def test_chain_with_labels():
    dag, (a, b) = make("a", "b")
    chain(a, Label("next"), b)
    assert edges(dag) == {("a", "b")}
    assert dag.get_edge_info("a", "b") == {"label": "next"}


def test_chain_linear_links_every_pair_of_neighbours():
    dag, (a, b, c, d, e) = make("a", "b", "c", "d", "e")
    chain_linear(a, [b, c], [d, e])
    assert edges(dag) == {("a", "b"), ("a", "c"), ("b", "d"), ("b", "e"), ("c", "d"), ("c", "e")}
    with pytest.raises(ValueError, match="No dependencies were set"):
        chain_linear(a)


def test_cross_downstream():
    dag, (a, b, c, d) = make("a", "b", "c", "d")
    cross_downstream([a, b], [c, d])
    assert edges(dag) == {("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")}


def test_labels_between_tasks_and_lists():
    dag, (a, b, c, d) = make("a", "b", "c", "d")
    a >> Label("yes") >> [b, c]
    [b, c] >> Label("join") >> d
    assert edges(dag) == {("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")}
    assert dag.get_edge_info("a", "c")["label"] == "yes"
    assert dag.get_edge_info("b", "d")["label"] == "join"


def test_label_with_left_shift_and_explicit_edge_modifier():
    dag, (a, b, c) = make("a", "b", "c")
    b << Label("back") << a
    c.set_upstream(b, edge_modifier=Label("explicit"))
    assert dag.get_edge_info("a", "b") == {"label": "back"}
    assert dag.get_edge_info("b", "c") == {"label": "explicit"}
