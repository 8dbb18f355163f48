"""A layered, left-to-right drawing of a DAG, computed on the server (pure).

A small Sugiyama layout, enough for the DAGs people write by hand:

1. columns: :func:`~brisa.ui.structure.task_layers` (longest path from a root);
2. an edge that skips columns gets a bend point in each column it crosses, so it is
   routed between the boxes instead of through them;
3. order within a column: a few barycenter sweeps (each node moves towards the mean
   position of its neighbours in the previous column), with the members of a task
   group kept next to each other so that the group's frame can be drawn around them;
4. heights: each node as close to the mean height of its predecessors as the nodes
   above it allow; frames of task groups get padding around their members.

Everything is in SVG user units; the template draws boxes, curves, labels and frames.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from brisa.serialized import SerializedDag
from brisa.ui.structure import group_path, short_label, task_layers

NODE_HEIGHT = 44.0
BEND_HEIGHT = 8.0
ROW_GAP = 18.0
LAYER_GAP = 90.0
CHAR_WIDTH = 7.4
SMALL_CHAR_WIDTH = 6.3
MIN_NODE_WIDTH = 110.0
MAX_NODE_WIDTH = 260.0
NODE_TEXT_PADDING = 20.0
MARGIN = 20.0
GROUP_PAD = 12.0
GROUP_LABEL = 18.0
SWEEPS = 4


@dataclass(frozen=True)
class NodeBox:
    task_id: str
    label: str
    operator: str
    x: float
    y: float
    width: float
    height: float
    is_mapped: bool = False


@dataclass(frozen=True)
class EdgePath:
    source: str
    target: str
    d: str
    """The SVG path: cubic curves leaving and entering horizontally."""
    label: str | None = None
    label_x: float = 0.0
    label_y: float = 0.0
    label_width: float = 0.0


@dataclass(frozen=True)
class GroupBox:
    group_id: str
    label: str
    x: float
    y: float
    width: float
    height: float
    depth: int
    tooltip: str = ""


@dataclass(frozen=True)
class GraphLayout:
    nodes: list[NodeBox]
    edges: list[EdgePath]
    groups: list[GroupBox]
    width: float
    height: float


@dataclass
class _Item:
    """A node or a bend point during the layout."""

    key: str
    layer: int
    path: tuple[str, ...]
    width: float
    height: float
    order: float = 0.0
    y: float = 0.0
    x: float = 0.0
    preds: list[str] = field(default_factory=list)
    succs: list[str] = field(default_factory=list)


def layout_graph(dag: SerializedDag) -> GraphLayout:
    if not dag.tasks:
        return GraphLayout([], [], [], 2 * MARGIN, 2 * MARGIN)
    layers = task_layers(dag)
    items = {
        tid: _Item(tid, layers[tid], group_path(dag, task.task_group), _node_width(dag, tid), NODE_HEIGHT)
        for tid, task in dag.tasks.items()
    }
    chains = _add_bends(dag, items)
    columns = _columns(items)
    _order(columns, items)
    depth = max((len(item.path) for item in items.values()), default=0)
    reach = _group_reach(items)
    _place_vertically(columns, items, reach, top=MARGIN + depth * (GROUP_PAD + GROUP_LABEL))
    _place_horizontally(columns, items, left=MARGIN + depth * GROUP_PAD)
    nodes = [_node_box(dag, items[tid]) for tid in dag.tasks]
    edges = [_edge_path(dag, chain, items) for chain in chains]
    groups = _group_boxes(dag, items)
    right = max([n.x + n.width for n in nodes] + [g.x + g.width for g in groups])
    bottom = max([n.y + n.height for n in nodes] + [g.y + g.height for g in groups])
    return GraphLayout(nodes, edges, groups, right + MARGIN, bottom + MARGIN)


def _node_width(dag: SerializedDag, task_id: str) -> float:
    """Room for the label (bold) and the operator's name (smaller) under it."""
    task = dag.tasks[task_id]
    label = short_label(task_id, task.task_group)
    text = max(len(label) * CHAR_WIDTH, len(task.operator) * SMALL_CHAR_WIDTH + 6)
    return min(MAX_NODE_WIDTH, max(MIN_NODE_WIDTH, text + NODE_TEXT_PADDING))


def _common_path(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    common = []
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        common.append(left)
    return tuple(common)


def _add_bends(dag: SerializedDag, items: dict[str, _Item]) -> list[list[str]]:
    """One chain of item keys per edge: source, bend points, target."""
    chains = []
    for tid, task in dag.tasks.items():
        for down in task.downstream:
            if down not in items:
                continue
            source, target = items[tid], items[down]
            path = _common_path(source.path, target.path)
            chain = [tid]
            for layer in range(source.layer + 1, target.layer):
                key = f"\x00{tid}\x00{down}\x00{layer}"
                items[key] = _Item(key, layer, path, 0.0, BEND_HEIGHT)
                chain.append(key)
            chain.append(down)
            for upper, lower in itertools.pairwise(chain):
                items[upper].succs.append(lower)
                items[lower].preds.append(upper)
            chains.append(chain)
    return chains


def _columns(items: dict[str, _Item]) -> list[list[str]]:
    count = max(item.layer for item in items.values()) + 1
    columns: list[list[str]] = [[] for _ in range(count)]
    for key, item in items.items():  # insertion order: the DAG's task order, then bends
        columns[item.layer].append(key)
    for column in columns:
        for index, key in enumerate(column):
            items[key].order = float(index)
        _sort_column(column, items, {key: items[key].order for key in column})
    return columns


def _order(columns: list[list[str]], items: dict[str, _Item]) -> None:
    for _ in range(SWEEPS):
        for column in columns[1:]:
            _sort_column(column, items, _barycenters(column, items, "preds"))
        for column in reversed(columns[:-1]):
            _sort_column(column, items, _barycenters(column, items, "succs"))


def _barycenters(column: list[str], items: dict[str, _Item], side: str) -> dict[str, float]:
    centres = {}
    for key in column:
        neighbours = getattr(items[key], side)
        centres[key] = (
            sum(items[n].order for n in neighbours) / len(neighbours) if neighbours else items[key].order
        )
    return centres


def _sort_column(column: list[str], items: dict[str, _Item], centre: dict[str, float]) -> None:
    """Sort by barycenter, keeping each group's members together (ordered by their mean)."""
    group_means: dict[tuple[str, ...], float] = {}
    for prefix in {item.path[: i + 1] for item in (items[k] for k in column) for i in range(len(item.path))}:
        inside = [centre[k] for k in column if items[k].path[: len(prefix)] == prefix]
        group_means[prefix] = sum(inside) / len(inside)

    def sort_key(key: str) -> tuple[tuple[float, str], ...]:
        path = items[key].path
        levels = tuple((group_means[path[: i + 1]], path[i]) for i in range(len(path)))
        return (*levels, (centre[key], key))

    column.sort(key=sort_key)
    for index, key in enumerate(column):
        items[key].order = float(index)


def _group_reach(items: dict[str, _Item]) -> dict[str, int]:
    """For each group, how many levels of groups it holds (0: only tasks)."""
    reach: dict[str, int] = {}
    for item in items.values():
        for level, group in enumerate(item.path):
            reach[group] = max(reach.get(group, 0), len(item.path) - level - 1)
    return reach


def frame_padding(levels_below: int) -> float:
    """A group frame's margin around its members; outer frames leave room for inner ones."""
    return GROUP_PAD * (1 + levels_below)


def frame_heading(levels_below: int) -> float:
    return GROUP_LABEL * (1 + levels_below)


def _gap(upper: _Item, lower: _Item, reach: dict[str, int]) -> float:
    """Distance between two neighbours' centres: both halves, the gap, and the frames between.

    Leaving groups costs the outermost left frame's bottom margin; entering groups costs
    the outermost entered frame's top margin and heading (inner frames sit inside them).
    """
    shared = len(_common_path(upper.path, lower.path))
    extra = 0.0
    if len(upper.path) > shared:
        extra += frame_padding(reach[upper.path[shared]])
    if len(lower.path) > shared:
        below = reach[lower.path[shared]]
        extra += frame_padding(below) + frame_heading(below)
    return upper.height / 2 + lower.height / 2 + ROW_GAP + extra


def _place_vertically(
    columns: list[list[str]], items: dict[str, _Item], reach: dict[str, int], *, top: float
) -> None:
    """Each item near the mean height of its predecessors, in column order, never overlapping."""
    for column in columns:
        wanted = [_mean([items[p].y for p in items[key].preds]) for key in column]
        placed: list[float] = []
        for index, key in enumerate(column):
            floor = placed[-1] + _gap(items[column[index - 1]], items[key], reach) if index else None
            candidates = [v for v in (wanted[index], floor) if v is not None]
            placed.append(max(candidates) if candidates else 0.0)
        moved = [w - p for w, p in zip(wanted, placed, strict=True) if w is not None]
        shift = sum(moved) / len(moved) if moved else 0.0
        for key, y in zip(column, placed, strict=True):
            items[key].y = y + shift
    lowest = min(item.y - item.height / 2 for item in items.values())
    for item in items.values():
        item.y += top - lowest


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _place_horizontally(columns: list[list[str]], items: dict[str, _Item], *, left: float) -> None:
    x = left
    for column in columns:
        width = max((items[key].width for key in column), default=0.0)
        for key in column:
            items[key].x = x + (width - items[key].width) / 2
        x += width + LAYER_GAP


def _node_box(dag: SerializedDag, item: _Item) -> NodeBox:
    task = dag.tasks[item.key]
    label = short_label(item.key, task.task_group)
    room = int((item.width - NODE_TEXT_PADDING) / CHAR_WIDTH)
    if len(label) > room:
        label = label[: max(1, room - 1)] + "…"
    return NodeBox(
        task_id=item.key,
        label=label,
        operator=task.operator,
        x=item.x,
        y=item.y - item.height / 2,
        width=item.width,
        height=item.height,
        is_mapped=task.is_mapped,
    )


def _edge_path(dag: SerializedDag, chain: list[str], items: dict[str, _Item]) -> EdgePath:
    source, target = items[chain[0]], items[chain[-1]]
    points = [(source.x + source.width, source.y)]
    points += [(items[key].x, items[key].y) for key in chain[1:-1]]
    points.append((target.x, target.y))
    d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        bend = (x1 - x0) / 2
        d += f" C{x0 + bend:.1f},{y0:.1f} {x1 - bend:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
    label = dag.edge_labels.get(f"{chain[0]}>>{chain[-1]}")
    middle = len(points) // 2
    (ax, ay), (bx, by) = points[middle - 1], points[middle]
    return EdgePath(
        source=chain[0],
        target=chain[-1],
        d=d,
        label=label,
        label_x=(ax + bx) / 2,
        label_y=(ay + by) / 2,
        label_width=len(label) * CHAR_WIDTH * 0.9 + 8 if label else 0.0,
    )


def _group_boxes(dag: SerializedDag, items: dict[str, _Item]) -> list[GroupBox]:
    nodes = [items[tid] for tid in dag.tasks]
    boxes = []
    for group_id, group in dag.task_groups.items():
        path = group_path(dag, group_id)
        inside = [n for n in nodes if n.path[: len(path)] == path]
        if not path or not inside:
            continue
        below = max(len(n.path) for n in inside) - len(path)
        pad = frame_padding(below)
        top = min(n.y - n.height / 2 for n in inside) - pad - frame_heading(below)
        left = min(n.x for n in inside) - pad
        right = max(n.x + n.width for n in inside) + pad
        bottom = max(n.y + n.height / 2 for n in inside) + pad
        parent = path[-2] if len(path) > 1 else None
        boxes.append(
            GroupBox(
                group_id=group_id,
                label=short_label(group_id, parent),
                x=left,
                y=top,
                width=right - left,
                height=bottom - top,
                depth=len(path),
                tooltip=str(group.get("tooltip") or ""),
            )
        )
    return sorted(boxes, key=lambda box: box.depth)


__all__ = ["EdgePath", "GraphLayout", "GroupBox", "NodeBox", "frame_heading", "frame_padding", "layout_graph"]
