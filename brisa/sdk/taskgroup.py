"""``TaskGroup`` and ``@task_group``: named, nested groups of tasks.

A task created inside ``with TaskGroup("g"):`` gets the id ``g.<task_id>`` (unless
``prefix_group_id=False``) and the group's ``default_args``.  ``group >> task`` links
every leaf of the group; ``task >> group`` links to every root.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from brisa.sdk import context as ambient
from brisa.sdk.dependencies import DependencyMixin
from brisa.sdk.exceptions import AirflowException, DuplicateTaskIdFound
from brisa.sdk.keys import validate_key

if TYPE_CHECKING:
    from brisa.sdk.dag import DAG
    from brisa.sdk.node import DAGNode


class TaskGroup(DependencyMixin):
    """A group of tasks (and nested groups) shown and linked as one."""

    def __init__(
        self,
        group_id: str | None,
        prefix_group_id: bool = True,
        parent_group: TaskGroup | None = None,
        dag: DAG | None = None,
        default_args: dict[str, Any] | None = None,
        tooltip: str = "",
        ui_color: str = "CornflowerBlue",
        ui_fgcolor: str = "#000",
        add_suffix_on_collision: bool = False,
        group_display_name: str | None = None,
    ) -> None:
        self.prefix_group_id = prefix_group_id
        self.tooltip = tooltip
        self.ui_color = ui_color
        self.ui_fgcolor = ui_fgcolor
        self.group_display_name = group_display_name
        self.children: dict[str, DAGNode | TaskGroup] = {}
        self.used_group_ids: set[str | None] = set()
        self.default_args: dict[str, Any] = copy.deepcopy(default_args or {})
        self._group_id = group_id
        if group_id is None:
            self.parent_group = None
            self.dag = dag
            self.used_group_ids = {None}
            return
        validate_key(group_id)
        self.dag = dag or ambient.current_dag()
        self.parent_group = parent_group or ambient.current_task_group(self.dag)
        if self.parent_group is None:
            raise AirflowException("TaskGroup can only be used inside a dag")
        self.dag = self.dag or self.parent_group.dag
        self.default_args = {**self.parent_group.default_args, **self.default_args}
        if add_suffix_on_collision:
            self._group_id = self._unique_label(group_id)
        # One set per DAG, shared by every group of it, as group ids are DAG-wide.
        self.used_group_ids = self.parent_group.used_group_ids
        self._check_unique_id()
        self.parent_group.add(self)
        self.used_group_ids.add(self.group_id)

    def __repr__(self) -> str:
        return f"<TaskGroup: {self.group_id}>"

    # -- identity -------------------------------------------------------------
    @property
    def group_id(self) -> str | None:
        parent = self.parent_group
        if self._group_id and parent is not None and parent.prefix_group_id and parent._group_id:
            return parent.child_id(self._group_id)
        return self._group_id

    @property
    def is_root(self) -> bool:
        return self._group_id is None

    @property
    def label(self) -> str | None:
        return self._group_id

    @property
    def node_id(self) -> str | None:
        return self.group_id

    def child_id(self, label: str) -> str:
        """The full id a child with ``label`` gets in this group."""
        if self.prefix_group_id and self.group_id:
            return f"{self.group_id}.{label}"
        return label

    def _unique_label(self, label: str) -> str:
        base = re.split(r"__\d+$", label)[0]
        taken = self._taken_ids()
        if self.parent_group is None or self.parent_group.child_id(base) not in taken:
            return base
        suffix = 1
        while self.parent_group.child_id(f"{base}__{suffix}") in taken:
            suffix += 1
        return f"{base}__{suffix}"

    def _taken_ids(self) -> set[str]:
        taken = {g for g in self.parent_group.used_group_ids if g} if self.parent_group else set()
        if self.dag is not None:
            taken |= set(self.dag.task_dict)
        return taken

    def _check_unique_id(self) -> None:
        group_id = self.group_id
        if group_id in self.parent_group.used_group_ids:  # type: ignore[union-attr]
            raise DuplicateTaskIdFound(f"group_id '{group_id}' has already been added to the DAG")
        if self.dag is not None and group_id in self.dag.task_dict:
            raise DuplicateTaskIdFound(f"group_id '{group_id}' conflicts with an existing task_id")

    # -- membership -------------------------------------------------------------
    def add(self, node: DAGNode | TaskGroup) -> None:
        is_group = isinstance(node, TaskGroup)
        key = node.group_id if isinstance(node, TaskGroup) else node.task_id
        if not is_group and key in self.used_group_ids:
            raise DuplicateTaskIdFound(f"Task id '{key}' conflicts with an existing group_id")
        if key in self.children:
            raise DuplicateTaskIdFound(
                f"{'Task Group' if is_group else 'Task'} id '{key}' has already been added to the DAG"
            )
        self.children[key] = node  # type: ignore[index]

    def iter_tasks(self) -> list[DAGNode]:
        """Every task in this group and its nested groups."""
        found: list[DAGNode] = []
        for child in self.children.values():
            if isinstance(child, TaskGroup):
                found.extend(child.iter_tasks())
            else:
                found.append(child)
        return found

    def iter_groups(self) -> list[TaskGroup]:
        found: list[TaskGroup] = []
        for child in self.children.values():
            if isinstance(child, TaskGroup):
                found.append(child)
                found.extend(child.iter_groups())
        return found

    def get_task_group_dict(self) -> dict[str | None, TaskGroup]:
        return {self.group_id: self, **{g.group_id: g for g in self.iter_groups()}}

    # -- edges ------------------------------------------------------------------
    @property
    def roots(self) -> list[DAGNode]:
        """Tasks of the group with no upstream inside the group."""
        ids = {t.task_id for t in self.iter_tasks()}
        return [t for t in self.iter_tasks() if not (t.upstream_task_ids & ids)]

    @property
    def leaves(self) -> list[DAGNode]:
        ids = {t.task_id for t in self.iter_tasks()}
        return [t for t in self.iter_tasks() if not (t.downstream_task_ids & ids)]

    def get_roots(self) -> list[DAGNode]:
        return self.roots

    def get_leaves(self) -> list[DAGNode]:
        return self.leaves

    # -- context manager -------------------------------------------------------------
    def __enter__(self) -> TaskGroup:
        ambient.push_task_group(self)
        return self

    def __exit__(self, *exc: object) -> None:
        ambient.pop_task_group()


class _TaskGroupFactory:
    """What ``@task_group`` returns: calling it builds the group around the function."""

    def __init__(
        self,
        function: Callable[..., Any],
        kwargs: dict[str, Any],
        partial_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.function = function
        self.kwargs = kwargs
        self.partial_kwargs = partial_kwargs or {}
        functools.update_wrapper(self, function)

    def override(self, **kwargs: Any) -> _TaskGroupFactory:
        return _TaskGroupFactory(self.function, {**self.kwargs, **kwargs}, self.partial_kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        options = {"group_id": self.function.__name__, "add_suffix_on_collision": True, **self.kwargs}
        group = TaskGroup(**options)
        if self.function.__doc__ and not group.tooltip:
            group.tooltip = self.function.__doc__
        with group:
            result = self.function(*args, **kwargs)
        if isinstance(result, DependencyMixin) and not isinstance(result, TaskGroup):
            return result
        return group

    def partial(self, **kwargs: Any) -> _TaskGroupFactory:
        """Arguments every map index of the group shares (Airflow 2.5+)."""
        from brisa.sdk.mapped_group import validate_group_arguments

        validate_group_arguments(self.function, "partial", kwargs, self.partial_kwargs)
        return _TaskGroupFactory(self.function, self.kwargs, {**self.partial_kwargs, **kwargs})

    def expand(self, **kwargs: Any) -> Any:
        """A mapped task group: the group's tasks once per item (cross product) of ``kwargs``."""
        from brisa.sdk.mapped import ExpandInput
        from brisa.sdk.mapped_group import validate_group_arguments

        if not kwargs:
            raise TypeError("no arguments to expand against")
        validate_group_arguments(self.function, "expand", kwargs, self.partial_kwargs)
        return self._mapped(ExpandInput("expand", kwargs))

    def expand_kwargs(self, kwargs: Any) -> Any:
        """A mapped task group over a list of dicts of the function's arguments."""
        from brisa.sdk.mapped import ExpandInput
        from brisa.sdk.xcom_arg import XComArg

        if not isinstance(kwargs, XComArg | list | tuple):
            raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")
        return self._mapped(ExpandInput("expand_kwargs", kwargs))

    def _mapped(self, expand_input: Any) -> Any:
        from brisa.sdk.mapped_group import build_mapped_group

        options = {"group_id": self.function.__name__, "add_suffix_on_collision": True, **self.kwargs}
        return build_mapped_group(self.function, options, self.partial_kwargs, expand_input)


def task_group(python_callable: Callable[..., Any] | None = None, **tg_kwargs: Any) -> Any:
    """``@task_group`` or ``@task_group(group_id=..., tooltip=..., default_args=...)``."""
    if python_callable is not None and callable(python_callable) and not tg_kwargs:
        return _TaskGroupFactory(python_callable, {})
    if python_callable is not None and not callable(python_callable):
        tg_kwargs["group_id"] = python_callable
    return lambda function: _TaskGroupFactory(function, tg_kwargs)


__all__ = ["TaskGroup", "task_group"]
