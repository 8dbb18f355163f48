"""Which downstream tasks branching and short-circuiting skip, and the skip call.

The decision is pure (a function of the DAG's graph); only :func:`skip_tasks` talks
to the runtime.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from brisa.runtime import current_runtime
from brisa.sdk.exceptions import AirflowException

if TYPE_CHECKING:
    from brisa.sdk.node import DAGNode


def skip_tasks(task_ids: Iterable[str], map_index: int | None = None) -> list[str]:
    """Mark ``task_ids`` of the current run skipped; returns them sorted."""
    ids = sorted(set(task_ids))
    if ids:
        current_runtime().skip_tasks(task_ids=ids, map_index=map_index)
    return ids


def expand_branch_ids(task: DAGNode, branch_task_ids: str | Iterable[str] | None) -> set[str]:
    """Branch targets as task ids: a task group id stands for the group's root tasks."""
    if branch_task_ids is None:
        return set()
    ids = {branch_task_ids} if isinstance(branch_task_ids, str) else set(branch_task_ids)
    dag = task.dag
    groups = dag.task_group_dict
    expanded: set[str] = set()
    for branch_id in ids:
        group = groups.get(branch_id)
        if branch_id not in dag.task_dict and group is not None and branch_id is not None:
            expanded.update(t.task_id for t in group.roots)
        else:
            expanded.add(branch_id)
    invalid = expanded - set(dag.task_dict)
    if invalid:
        raise AirflowException(
            f"'branch_task_ids' must contain only valid task_ids. Invalid tasks found: {invalid}."
        )
    return expanded


def branch_skip_ids(task: DAGNode, branch_task_ids: str | Iterable[str] | None) -> set[str]:
    """Direct downstream tasks not followed by the branch.

    A direct downstream task that is also downstream of a followed branch (the
    ``branch >> [a, join]; a >> join`` diamond) is kept, as in Airflow.
    """
    followed = expand_branch_ids(task, branch_task_ids)
    dag = task.dag
    kept = set(followed)
    for branch_id in followed:
        kept |= dag.get_task(branch_id).get_flat_relative_ids(upstream=False)
    return set(task.downstream_task_ids) - kept


def short_circuit_skip_ids(task: DAGNode, *, ignore_downstream_trigger_rules: bool) -> set[str]:
    """Everything downstream, or only the direct downstream tasks (their trigger rules
    then decide about the rest)."""
    if ignore_downstream_trigger_rules:
        return task.get_flat_relative_ids(upstream=False)
    return set(task.downstream_task_ids)


class SkipMixin:
    """Airflow's mixin for operators that skip downstream tasks."""

    def skip(
        self,
        dag_run: Any = None,
        execution_date: Any = None,
        tasks: Iterable[Any] = (),
        map_index: int = -1,
        **_: Any,
    ) -> None:
        ids = [t if isinstance(t, str) else t.task_id for t in tasks]
        skip_tasks(ids, None if map_index == -1 else map_index)

    def skip_all_except(self, ti: Any, branch_task_ids: str | Iterable[str] | None) -> None:
        # A SkipMixin is only ever mixed into an operator, which is a DAGNode.
        task = getattr(ti, "task", None) or cast("DAGNode", self)
        skip_tasks(branch_skip_ids(task, branch_task_ids))


__all__ = ["SkipMixin", "branch_skip_ids", "expand_branch_ids", "short_circuit_skip_ids", "skip_tasks"]
