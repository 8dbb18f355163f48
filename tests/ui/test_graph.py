import re
from itertools import combinations

from brisa.testing import make_dag
from brisa.ui.graph import layout_graph
from tests.ui.helpers import grouped_dag


def overlaps(a, b) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


def curve_points(d: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def test_every_edge_points_right_and_no_boxes_overlap() -> None:
    dag = make_dag("d", {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": ["a"], "f": ["e", "d"]})
    layout = layout_graph(dag)
    boxes = {node.task_id: node for node in layout.nodes}
    for edge in layout.edges:
        assert boxes[edge.source].x + boxes[edge.source].width <= boxes[edge.target].x
    assert not any(overlaps(a, b) for a, b in combinations(layout.nodes, 2))
    assert all(n.x + n.width <= layout.width and n.y + n.height <= layout.height for n in layout.nodes)


def test_an_edge_skipping_columns_bends_between_the_boxes() -> None:
    dag = make_dag("d", {"a": [], "b": ["a"], "c": ["b"], "d": ["c", "a"]})
    layout = layout_graph(dag)
    long_edge = next(e for e in layout.edges if (e.source, e.target) == ("a", "d"))
    short_edge = next(e for e in layout.edges if (e.source, e.target) == ("a", "b"))
    assert long_edge.d.count("C") == 3  # one curve per column crossed
    assert short_edge.d.count("C") == 1
    boxes = {node.task_id: node for node in layout.nodes}
    for x, y in curve_points(long_edge.d)[1:-1]:
        assert not any(n.x < x < n.x + n.width and n.y < y < n.y + n.height for n in boxes.values())


def test_groups_frame_their_members_and_nest() -> None:
    layout = layout_graph(grouped_dag())
    frames = {group.group_id: group for group in layout.groups}
    nodes = {node.task_id: node for node in layout.nodes}

    def inside(node, frame) -> bool:
        return (
            frame.x <= node.x
            and node.x + node.width <= frame.x + frame.width
            and frame.y <= node.y
            and node.y + node.height <= frame.y + frame.height
        )

    assert inside(nodes["g.a"], frames["g"]) and inside(nodes["g.inner.b"], frames["g"])
    assert inside(nodes["g.inner.b"], frames["g.inner"]) and not inside(nodes["g.a"], frames["g.inner"])
    assert inside(frames["g.inner"], frames["g"])
    assert not any(inside(nodes[t], frames["g"]) for t in ("start", "end", "lone"))
    assert [g.group_id for g in layout.groups] == ["g", "g.inner"]  # outer frames drawn first
    assert frames["g.inner"].label == "inner" and frames["g"].tooltip == "the group"
    assert nodes["g.inner.b"].label == "b"


def test_edge_labels_sit_on_their_edge() -> None:
    layout = layout_graph(grouped_dag())
    labelled = next(e for e in layout.edges if e.label)
    assert (labelled.source, labelled.target, labelled.label) == ("start", "g.a", "go")
    (x0, y0), *_, (x1, y1) = curve_points(labelled.d)
    assert min(x0, x1) <= labelled.label_x <= max(x0, x1)
    assert min(y0, y1) <= labelled.label_y <= max(y0, y1)


def test_long_task_ids_are_shortened_in_a_wider_box() -> None:
    long_id = "a_really_long_task_identifier_that_does_not_fit_in_any_box_at_all"
    layout = layout_graph(make_dag("d", {long_id: [], "x": []}))
    node = next(n for n in layout.nodes if n.task_id == long_id)
    short = next(n for n in layout.nodes if n.task_id == "x")
    assert node.label.endswith("…") and len(node.label) < len(long_id)
    assert node.width > short.width


def test_an_empty_dag_has_an_empty_drawing() -> None:
    layout = layout_graph(make_dag("d", {}))
    assert layout.nodes == [] and layout.edges == [] and layout.width > 0
