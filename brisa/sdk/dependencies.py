"""``>>``/``<<`` between tasks, task groups, XComArgs and lists; ``chain``,
``chain_linear``, ``cross_downstream`` and edge labels (``Label``).

Every dependency-taking object is a :class:`DependencyMixin`.  It knows which tasks
stand for it at the *upstream* end of an edge (its leaves) and at the *downstream*
end (its roots); one function, :func:`link`, joins the two ends.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from brisa.sdk.exceptions import AirflowException

if TYPE_CHECKING:
    from brisa.sdk.node import DAGNode


class DependencyMixin:
    """Something that can stand at either end of a dependency arrow."""

    @property
    def roots(self) -> list[DAGNode]:
        """Tasks that receive an edge pointing at this object."""
        raise TypeError(f"{type(self).__name__} cannot take dependencies")

    @property
    def leaves(self) -> list[DAGNode]:
        """Tasks an edge leaving this object starts from."""
        raise TypeError(f"{type(self).__name__} cannot take dependencies")

    def set_upstream(self, other: Any, edge_modifier: EdgeModifier | None = None) -> None:
        link(other, self, label=edge_modifier)

    def set_downstream(self, other: Any, edge_modifier: EdgeModifier | None = None) -> None:
        link(self, other, label=edge_modifier)

    def update_relative(self, other: Any, upstream: bool = True, edge_modifier: Any = None) -> None:
        """Hook for objects that track their relatives (XComArg); nothing by default."""

    def __rshift__(self, other: Any) -> Any:
        if isinstance(other, EdgeModifier):
            other.add_upstream(self)
            return other
        link(self, other)
        return other

    def __lshift__(self, other: Any) -> Any:
        if isinstance(other, EdgeModifier):
            other.add_downstream(self)
            return other
        link(other, self)
        return other

    def __rrshift__(self, other: Any) -> DependencyMixin:
        """``[a, b] >> self``."""
        link(other, self)
        return self

    def __rlshift__(self, other: Any) -> DependencyMixin:
        """``[a, b] << self``."""
        link(self, other)
        return self


class EdgeModifier(DependencyMixin):
    """A label on the edges drawn through it: ``a >> Label("yes") >> b``."""

    def __init__(self, label: str | None = None) -> None:
        self.label = label
        self._upstream: list[Any] = []
        self._downstream: list[Any] = []

    def __repr__(self) -> str:
        return f"<EdgeModifier: {self.label!r}>"

    @property
    def roots(self) -> list[DAGNode]:
        return [t for item in self._downstream for t in downstream_ends(item)]

    @property
    def leaves(self) -> list[DAGNode]:
        return [t for item in self._upstream for t in upstream_ends(item)]

    def add_upstream(self, other: Any) -> None:
        self._upstream.append(other)
        for down in self._downstream:
            link(other, down, label=self)

    def add_downstream(self, other: Any) -> None:
        self._downstream.append(other)
        for up in self._upstream:
            link(up, other, label=self)

    def __rshift__(self, other: Any) -> Any:
        self.add_downstream(other)
        return other

    def __lshift__(self, other: Any) -> Any:
        self.add_upstream(other)
        return other

    def __rrshift__(self, other: Any) -> EdgeModifier:
        self.add_upstream(other)
        return self

    def __rlshift__(self, other: Any) -> EdgeModifier:
        self.add_downstream(other)
        return self

    def set_upstream(self, other: Any, edge_modifier: EdgeModifier | None = None) -> None:
        self.add_upstream(other)

    def set_downstream(self, other: Any, edge_modifier: EdgeModifier | None = None) -> None:
        self.add_downstream(other)


def Label(label: str) -> EdgeModifier:
    """An edge label: ``a >> Label("on success") >> b``."""
    return EdgeModifier(label)


def _flatten(items: Any) -> list[Any]:
    if isinstance(items, DependencyMixin):
        return [items]
    if isinstance(items, Iterable) and not isinstance(items, str | bytes | dict):
        return [leaf for item in items for leaf in _flatten(item)]
    raise AirflowException(
        f"Relationships can only be set between operators; received {type(items).__name__}"
    )


def upstream_ends(items: Any) -> list[DAGNode]:
    return [task for item in _flatten(items) for task in item.leaves]


def downstream_ends(items: Any) -> list[DAGNode]:
    return [task for item in _flatten(items) for task in item.roots]


def link(upstream: Any, downstream: Any, *, label: EdgeModifier | None = None) -> None:
    """Make every leaf of ``upstream`` an upstream of every root of ``downstream``."""
    downs = _flatten(downstream)
    ups = _flatten(upstream)
    for down in downs:
        if isinstance(down, EdgeModifier):
            for up in ups:
                down.add_upstream(up)
            continue
        for up in ups:
            if isinstance(up, EdgeModifier):
                up.add_downstream(down)
                continue
            for up_task in up.leaves:
                for down_task in down.roots:
                    up_task.add_edge_to(down_task, label=label.label if label else None)
            up.update_relative(down, upstream=False, edge_modifier=label)
            down.update_relative(up, upstream=True, edge_modifier=label)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def chain(*tasks: Any) -> None:
    """``chain(a, [b, c], d)``: each element upstream of the next; two lists in a
    row must have the same length and are linked pairwise."""
    for up, down in itertools.pairwise(tasks):
        if _is_sequence(up) and _is_sequence(down):
            if len(up) != len(down):
                raise AirflowException(
                    f"Chain not supported for different length Iterable. Got {len(up)} and {len(down)}."
                )
            for up_item, down_item in zip(up, down, strict=True):
                up_item >> down_item
        elif _is_sequence(up):
            for up_item in up:
                up_item >> down
        else:
            up >> down


def cross_downstream(from_tasks: Sequence[Any], to_tasks: Any) -> None:
    """Every task of ``from_tasks`` upstream of every task of ``to_tasks``."""
    for task in from_tasks:
        link(task, to_tasks)


def chain_linear(*elements: Any) -> None:
    """Each element (task or list) fully upstream of the next one."""
    if len(elements) < 2:
        raise ValueError("No dependencies were set. Did you forget to expand with `*`?")
    for up, down in itertools.pairwise(elements):
        link(up, down)


__all__ = [
    "DependencyMixin",
    "EdgeModifier",
    "Label",
    "chain",
    "chain_linear",
    "cross_downstream",
    "downstream_ends",
    "link",
    "upstream_ends",
]
