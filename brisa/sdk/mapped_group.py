"""Mapped task groups (Airflow 2.5+): ``@task_group`` called with ``.partial(...).expand(...)``.

Every task created inside a :class:`MappedTaskGroup` is expanded over the group's input:
it gets one instance per map index, as a mapped task does, and the group function's
arguments are :class:`MappedArgument` placeholders that resolve to the values of that
map index.  An XComArg from one task of the group to another pulls the value of the
same map index; a task downstream of the group sees the list of every index's value.

The scheduler learns all this from each task's ``MappedSpec`` (``group`` names the
mapped group): instances of a task wait until its upstream tasks of the group are done,
then each index is decided against the same index upstream, as Airflow's trigger rules
do with "relevant upstream map indexes".
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from brisa.sdk.dependencies import DependencyMixin
from brisa.sdk.exceptions import UnsupportedFeatureError
from brisa.sdk.mapped import ExpandInput
from brisa.sdk.taskgroup import TaskGroup
from brisa.sdk.xcom_arg import XCOM_RETURN_KEY, XComArg
from brisa.serialized import MappedSpec

if TYPE_CHECKING:
    from brisa.sdk.baseoperator import BaseOperator
    from brisa.sdk.node import DAGNode


class MappedTaskGroup(TaskGroup):
    """A task group whose tasks are all expanded over ``expand_input``."""

    def __init__(self, *, expand_input: ExpandInput, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.expand_input = expand_input
        if mapped_group_of(self.parent_group) is not None:
            raise UnsupportedFeatureError("Brisa does not support a mapped task group inside another one")

    def __repr__(self) -> str:
        return f"<MappedTaskGroup: {self.group_id}>"

    def add(self, node: Any) -> None:
        if getattr(node, "expand_input", None) is not None and not isinstance(node, TaskGroup):
            raise UnsupportedFeatureError(
                f"Brisa does not support a mapped task ({node.task_id}) inside a mapped task group"
            )
        super().add(node)

    def __exit__(self, *exc: object) -> None:
        # As Airflow: the tasks producing the group's input come before the whole group.
        roots = self.roots
        for producer in self.expand_input.iter_references():
            for root in roots:
                if root is not producer:
                    root.set_upstream(producer)
        super().__exit__(*exc)

    def to_spec(self) -> MappedSpec:
        spec = self.expand_input.to_spec()
        return MappedSpec(spec.kind, spec.inputs, group=self.group_id)


class MappedArgument(XComArg):
    """An argument of a mapped task group's function: its value at the running map index."""

    def __init__(self, expand_input: ExpandInput, name: str) -> None:
        self._input = expand_input
        self._name = name

    def __repr__(self) -> str:
        return f"MappedArgument({self._name!r})"

    def iter_references(self) -> Iterator[tuple[DAGNode, str]]:
        for operator in self._input.iter_references():
            yield operator, XCOM_RETURN_KEY

    def resolve(self, context: Mapping[str, Any]) -> Any:
        kwargs = self._input.kwargs_for(context["ti"].map_index, context)
        if self._name not in kwargs:
            raise KeyError(f"the mapped task group's input has no argument {self._name!r}")
        return kwargs[self._name]


def mapped_group_of(node: Any) -> MappedTaskGroup | None:
    """The mapped task group ``node`` (a task or a group) is inside, if any."""
    group = node if isinstance(node, TaskGroup) else getattr(node, "task_group", None)
    while group is not None:
        if isinstance(group, MappedTaskGroup):
            return group
        group = group.parent_group
    return None


def unmap_in_group(operator: BaseOperator, map_index: int) -> BaseOperator:
    """The instance of a task of a mapped group at ``map_index``: a copy that knows its index."""
    unmapped = copy.copy(operator)
    unmapped.__dict__["_brisa_detached"] = True
    unmapped.map_index = map_index
    return unmapped


def build_mapped_group(
    function: Callable[..., Any],
    options: dict[str, Any],
    partial_kwargs: dict[str, Any],
    expand_input: ExpandInput,
) -> Any:
    """Run the group function once inside a :class:`MappedTaskGroup`, its mapped arguments
    as :class:`MappedArgument` placeholders; returns what ``@task_group`` returns."""
    group = MappedTaskGroup(expand_input=expand_input, **options)
    if function.__doc__ and not group.tooltip:
        group.tooltip = function.__doc__
    names = _mapped_names(function, partial_kwargs, expand_input)
    arguments = {name: MappedArgument(expand_input, name) for name in names}
    with group:
        result = function(**partial_kwargs, **arguments)
    if isinstance(result, DependencyMixin) and not isinstance(result, TaskGroup):
        return result
    return group


def _mapped_names(
    function: Callable[..., Any], partial_kwargs: dict[str, Any], expand_input: ExpandInput
) -> list[str]:
    if expand_input.kind == "expand":
        return list(expand_input.value)
    parameters = inspect.signature(function).parameters.values()
    return [p.name for p in parameters if p.name not in partial_kwargs and p.kind is not p.VAR_KEYWORD]


def validate_group_arguments(
    function: Callable[..., Any], func: str, kwargs: Mapping[str, Any], partial_kwargs: Mapping[str, Any]
) -> None:
    """Airflow's checks: names the function takes, not given twice, XComs of return values."""
    signature = inspect.signature(function)
    takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    for name, value in kwargs.items():
        if not takes_any and name not in signature.parameters:
            raise TypeError(f"{function.__name__}.{func}() got an unexpected keyword argument {name!r}")
        if name in partial_kwargs:
            raise TypeError(
                f"{function.__name__}.{func}() got an argument already given to partial(): {name}"
            )
        if func == "expand" and not isinstance(value, XComArg | list | tuple | dict):
            raise ValueError(
                f"expand() got an unexpected type {type(value).__name__!r} for keyword argument {name!r}"
            )


__all__ = [
    "MappedArgument",
    "MappedTaskGroup",
    "build_mapped_group",
    "mapped_group_of",
    "unmap_in_group",
    "validate_group_arguments",
]
