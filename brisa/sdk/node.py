"""``DAGNode``: what operators and mapped operators share - identity and edges."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from brisa.sdk.dependencies import DependencyMixin
from brisa.sdk.exceptions import AirflowException

if TYPE_CHECKING:
    from brisa.sdk.dag import DAG
    from brisa.sdk.taskgroup import TaskGroup


class DAGNode(DependencyMixin):
    """A task in a DAG's graph: a ``task_id``, its DAG and group, and its edges."""

    task_id: str
    _dag: DAG | None
    task_group: TaskGroup | None
    upstream_task_ids: set[str]
    downstream_task_ids: set[str]

    def _init_node(self) -> None:
        self.upstream_task_ids = set()
        self.downstream_task_ids = set()
        self._dag = None
        self.task_group = None

    # -- identity -------------------------------------------------------------
    @property
    def dag(self) -> DAG:
        if self._dag is None:
            raise AirflowException(f"Operator {self} has not been assigned to a DAG yet")
        return self._dag

    @dag.setter
    def dag(self, dag: DAG | None) -> None:
        if dag is None or dag is self._dag:
            return
        if self._dag is not None:
            raise AirflowException(f"The DAG assigned to {self} can not be changed.")
        dag.add_task(self)  # type: ignore[arg-type]
        self._dag = dag

    def has_dag(self) -> bool:
        return self._dag is not None

    @property
    def dag_id(self) -> str:
        return self._dag.dag_id if self._dag is not None else f"adhoc_{getattr(self, 'owner', 'airflow')}"

    @property
    def label(self) -> str:
        """The task id without its task group prefix."""
        group = self.task_group
        if group is not None and group.group_id and self.task_id.startswith(f"{group.group_id}."):
            return self.task_id[len(group.group_id) + 1 :]
        return self.task_id

    @property
    def node_id(self) -> str:
        return self.task_id

    @property
    def log(self) -> logging.Logger:
        cls = type(self)
        return logging.getLogger(f"airflow.task.operators.{cls.__module__}.{cls.__qualname__}")

    # -- edges ------------------------------------------------------------------
    @property
    def roots(self) -> list[DAGNode]:
        return [self]

    @property
    def leaves(self) -> list[DAGNode]:
        return [self]

    def add_edge_to(self, downstream: DAGNode, *, label: str | None = None) -> None:
        """Record ``self >> downstream``; both end up in the same DAG."""
        dag = self._dag or downstream._dag
        if dag is None:
            raise AirflowException(
                f"Tried to create relationships between tasks that don't have DAGs yet. "
                f"Set the DAG for at least one task and try again: {[self, downstream]}"
            )
        if self._dag is not None and downstream._dag is not None and self._dag is not downstream._dag:
            raise AirflowException(
                f"Tried to set relationships between tasks in more than one DAG: {self}, {downstream}"
            )
        self.dag = dag
        downstream.dag = dag
        self.downstream_task_ids.add(downstream.task_id)
        downstream.upstream_task_ids.add(self.task_id)
        if label is not None:
            dag.set_edge_info(self.task_id, downstream.task_id, {"label": label})

    @property
    def upstream_list(self) -> list[DAGNode]:
        return [self.dag.get_task(t) for t in sorted(self.upstream_task_ids)]

    @property
    def downstream_list(self) -> list[DAGNode]:
        return [self.dag.get_task(t) for t in sorted(self.downstream_task_ids)]

    def get_direct_relative_ids(self, upstream: bool = False) -> set[str]:
        return set(self.upstream_task_ids if upstream else self.downstream_task_ids)

    def get_direct_relatives(self, upstream: bool = False) -> list[DAGNode]:
        return self.upstream_list if upstream else self.downstream_list

    def get_flat_relative_ids(self, *, upstream: bool = False) -> set[str]:
        """Every task reachable upstream (or downstream) of this one."""
        dag = self.dag
        found: set[str] = set()
        pending = list(self.get_direct_relative_ids(upstream))
        while pending:
            task_id = pending.pop()
            if task_id in found:
                continue
            found.add(task_id)
            pending.extend(dag.get_task(task_id).get_direct_relative_ids(upstream))
        return found

    def get_flat_relatives(self, upstream: bool = False) -> list[DAGNode]:
        dag = self.dag
        return [dag.get_task(t) for t in sorted(self.get_flat_relative_ids(upstream=upstream))]

    def iter_mapped_dependants(self) -> list[Any]:
        return []


__all__ = ["DAGNode"]
