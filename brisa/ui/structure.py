"""The shape of a serialized DAG as the grid and the graph draw it (pure).

* :func:`task_layers`: each task's column, the longest path from a root to it, so every
  edge points to the right;
* :func:`group_path`: the task groups a task sits in, outermost first;
* :func:`ordered_rows`: tasks and group headers in the grid's order, each group's
  members kept together and groups and tasks sorted by their first column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from brisa.serialized import SerializedDag, SerializedTask


def task_layers(dag: SerializedDag) -> dict[str, int]:
    """Longest path from a root, by Kahn's order; tasks on a cycle go after the others."""
    tasks = dag.tasks
    pending = {tid: sum(1 for up in task.upstream if up in tasks) for tid, task in tasks.items()}
    layer = dict.fromkeys(tasks, 0)
    ready = [tid for tid, count in pending.items() if count == 0]
    done: set[str] = set()
    while ready:
        tid = ready.pop()
        done.add(tid)
        for down in tasks[tid].downstream:
            if down not in tasks:
                continue
            layer[down] = max(layer[down], layer[tid] + 1)
            pending[down] -= 1
            if pending[down] == 0:
                ready.append(down)
    last = max(layer.values(), default=0)
    for tid in tasks:
        if tid not in done:  # a cycle (the loader refuses them; stay drawable anyway)
            layer[tid] = last + 1
    return layer


def group_path(dag: SerializedDag, group_id: str | None) -> tuple[str, ...]:
    """``("outer", "outer.inner")`` for ``outer.inner``; unknown groups are ignored."""
    path: list[str] = []
    seen: set[str] = set()
    while group_id and group_id in dag.task_groups and group_id not in seen:
        seen.add(group_id)
        path.append(group_id)
        group_id = dag.task_groups[group_id].get("parent")
    return tuple(reversed(path))


def short_label(node_id: str, parent_group: str | None) -> str:
    """A task or group id without its parent group's ``group.`` prefix."""
    prefix = f"{parent_group}."
    if parent_group and node_id.startswith(prefix):
        return node_id[len(prefix) :]
    return node_id


@dataclass(frozen=True)
class Row:
    """One line of the grid: a task, or the header of a task group."""

    kind: str
    """``task`` or ``group``."""
    node_id: str
    label: str
    depth: int
    task: SerializedTask | None = None
    members: tuple[str, ...] = ()
    """For a group: the ids of every task inside it, at any depth."""


def ordered_rows(dag: SerializedDag) -> list[Row]:
    layer = task_layers(dag)
    position = {tid: index for index, tid in enumerate(dag.tasks)}
    children = _children(dag)
    members = {group: tuple(_tasks_under(children, group)) for group in dag.task_groups}

    def key(kind: str, node_id: str) -> tuple[float, float]:
        ids = members.get(node_id, ()) if kind == "group" else (node_id,)
        return min(((layer[t], position[t]) for t in ids), default=(float("inf"), float("inf")))

    rows: list[Row] = []

    def emit(parent: str | None, depth: int) -> None:
        for kind, node_id in sorted(children.get(parent, []), key=lambda child: key(*child)):
            label = short_label(node_id, parent)
            if kind == "task":
                rows.append(Row("task", node_id, label, depth, task=dag.tasks[node_id]))
            else:
                rows.append(Row("group", node_id, label, depth, members=members[node_id]))
                emit(node_id, depth + 1)

    emit(None, 0)
    return rows


def _children(dag: SerializedDag) -> dict[str | None, list[tuple[str, str]]]:
    children: dict[str | None, list[tuple[str, str]]] = {}
    for group_id, group in dag.task_groups.items():
        parent = group.get("parent")
        children.setdefault(parent if parent in dag.task_groups else None, []).append(("group", group_id))
    for task_id, task in dag.tasks.items():
        parent = task.task_group if task.task_group in dag.task_groups else None
        children.setdefault(parent, []).append(("task", task_id))
    return children


def _tasks_under(children: dict[str | None, list[tuple[str, str]]], group: str) -> Iterator[str]:
    for kind, node_id in children.get(group, []):
        if kind == "task":
            yield node_id
        elif node_id != group:
            yield from _tasks_under(children, node_id)


__all__ = ["Row", "group_path", "ordered_rows", "short_label", "task_layers"]
