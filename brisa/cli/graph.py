"""A DAG as text: each task with the tasks it leads to, in dependency order."""

from __future__ import annotations

from brisa.plan.tasks import topological_order
from brisa.serialized import SerializedDag


def text_graph(dag: SerializedDag) -> str:
    lines = [f"DAG {dag.dag_id} ({len(dag.tasks)} tasks, schedule {dag.schedule_summary})"]
    for task in topological_order(dag):
        mapped = " [mapped]" if task.is_mapped else ""
        head = f"  {task.task_id} ({task.operator}){mapped}"
        if task.downstream:
            labels = [_edge(dag, task.task_id, down) for down in task.downstream]
            head += " >> " + ", ".join(labels)
        lines.append(head)
    return "\n".join(lines)


def _edge(dag: SerializedDag, up: str, down: str) -> str:
    label = dag.edge_labels.get(f"{up}>>{down}")
    return f"{down} ({label})" if label else down


__all__ = ["text_graph"]
