from brisa.testing import make_dag
from brisa.ui.structure import group_path, ordered_rows, short_label, task_layers
from tests.ui.helpers import grouped_dag


def test_layers_are_the_longest_path_from_a_root() -> None:
    dag = make_dag("d", {"a": [], "b": ["a"], "c": ["b"], "d": ["a", "c"]})
    assert task_layers(dag) == {"a": 0, "b": 1, "c": 2, "d": 3}


def test_tasks_on_a_cycle_are_drawn_after_the_others() -> None:
    dag = make_dag("d", {"a": [], "b": ["a", "c"], "c": ["b"]})
    layers = task_layers(dag)
    assert layers["a"] == 0 and layers["b"] > 0 and layers["c"] > 0


def test_group_path_is_outermost_first() -> None:
    dag = grouped_dag()
    assert group_path(dag, "g.inner") == ("g", "g.inner")
    assert group_path(dag, None) == ()
    assert group_path(dag, "unknown") == ()


def test_short_label_drops_the_parent_prefix() -> None:
    assert short_label("g.inner.b", "g.inner") == "b"
    assert short_label("other", "g") == "other"


def test_rows_keep_groups_together_in_layer_order() -> None:
    rows = ordered_rows(grouped_dag())
    assert [(r.kind, r.node_id, r.depth) for r in rows] == [
        ("task", "start", 0),
        ("task", "lone", 0),
        ("group", "g", 0),
        ("task", "g.a", 1),
        ("group", "g.inner", 1),
        ("task", "g.inner.b", 2),
        ("task", "end", 0),
    ]
    group = rows[2]
    assert group.label == "g" and set(group.members) == {"g.a", "g.inner.b"}
    assert rows[5].label == "b"
