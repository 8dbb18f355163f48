"""``XComArg``: a reference to a task's XCom, used as an argument of another task.

Passing ``t1.output`` (or a TaskFlow call's result) to another task makes ``t1`` its
upstream at definition time and is replaced by the pulled value at run time.
``DagParam`` (an ``@dag`` function's argument) is resolved the same way, from the
run's params.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from brisa.sdk import setup_teardown
from brisa.sdk.dependencies import DependencyMixin
from brisa.sdk.exceptions import AirflowException, XComNotFound
from brisa.sdk.params import NOTSET, ArgNotSet
from brisa.sdk.xcom_items import (
    Items,
    MappedItems,
    ResolvedItems,
    Unmappable,
    ValueItems,
    XComItems,
    ZippedItems,
    items_of,
)

if TYPE_CHECKING:
    from brisa.sdk.dag import DAG
    from brisa.sdk.node import DAGNode

XCOM_RETURN_KEY = "return_value"


class XComArg(DependencyMixin):
    """Base of XCom references; ``XComArg(op, key)`` builds a :class:`PlainXComArg`."""

    def __new__(cls, *args: Any, **kwargs: Any) -> XComArg:
        if cls is XComArg:
            return super().__new__(PlainXComArg)
        return super().__new__(cls)

    @property
    def operator(self) -> DAGNode:
        raise TypeError(f"{type(self).__name__} has no single operator")

    def iter_references(self) -> Iterator[tuple[DAGNode, str]]:
        raise TypeError(f"{type(self).__name__} has no references")

    def resolve(self, context: Mapping[str, Any]) -> Any:
        raise TypeError(f"{type(self).__name__} cannot be resolved")

    def items(self, context: Mapping[str, Any]) -> Items:
        """What expanding over this maps, for a mapped try that reads one item of it."""
        return ValueItems(self.resolve(context))

    @property
    def roots(self) -> list[DAGNode]:
        return [op for op, _ in self.iter_references()]

    @property
    def leaves(self) -> list[DAGNode]:
        return [op for op, _ in self.iter_references()]

    def __iter__(self) -> Iterator[Any]:
        raise TypeError("'XComArg' object is not iterable")

    def map(self, f: Callable[[Any], Any]) -> MapXComArg:
        return MapXComArg(self, [f])

    def zip(self, *others: XComArg, fillvalue: Any = NOTSET) -> ZipXComArg:
        """Airflow 2.5+'s ``XComArg.zip``: tuples of the n-th items, as :func:`zip` (or
        :func:`itertools.zip_longest` padding with ``fillvalue`` when one is given)."""
        return ZipXComArg([self, *others], fillvalue=fillvalue)

    def as_setup(self) -> DependencyMixin:
        for op, _ in self.iter_references():
            op.as_setup()  # type: ignore[attr-defined]
        return self

    def as_teardown(
        self, *, setups: Any = None, on_failure_fail_dagrun: bool | None = None
    ) -> DependencyMixin:
        for op, _ in self.iter_references():
            op.as_teardown(setups=setups, on_failure_fail_dagrun=on_failure_fail_dagrun)  # type: ignore[attr-defined]
        return self

    def __enter__(self) -> XComArg:
        # ``with my_teardown(my_setup()):`` enters the teardown task behind the XComArg.
        setup_teardown.enter(op for op, _ in self.iter_references())
        return self

    def __exit__(self, *exc: object) -> None:
        setup_teardown.exit_block()


class PlainXComArg(XComArg):
    """One key of one task's XCom (``op.output``, ``op.output["key"]``)."""

    def __init__(self, operator: DAGNode, key: str = XCOM_RETURN_KEY) -> None:
        self._operator = operator
        self.key = key

    def __repr__(self) -> str:
        if self.key == XCOM_RETURN_KEY:
            return f"XComArg({self._operator!r})"
        return f"XComArg({self._operator!r}, {self.key!r})"

    def __str__(self) -> str:
        """The Jinja expression that pulls this XCom (for f-strings in templates)."""
        return (
            f"{{{{ task_instance.xcom_pull(task_ids='{self._operator.task_id}', "
            f"dag_id='{self._operator.dag_id}', key='{self.key}') }}}}"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PlainXComArg):
            return NotImplemented
        return self._operator is other._operator and self.key == other.key

    def __hash__(self) -> int:
        return hash((id(self._operator), self.key))

    def __getitem__(self, key: str) -> PlainXComArg:
        return PlainXComArg(self._operator, key)

    @property
    def operator(self) -> DAGNode:
        return self._operator

    def iter_references(self) -> Iterator[tuple[DAGNode, str]]:
        yield self._operator, self.key

    def resolve(self, context: Mapping[str, Any]) -> Any:
        ti = context["ti"]
        value = ti.xcom_pull(
            task_ids=self._operator.task_id,
            key=self.key,
            default=NOTSET,
            map_indexes=_same_map_index(self._operator, context),
        )
        if not isinstance(value, ArgNotSet):
            return value
        if self.key == XCOM_RETURN_KEY:
            return None
        raise XComNotFound(ti.dag_id, self._operator.task_id, self.key)

    def items(self, context: Mapping[str, Any]) -> Items:
        if _same_map_index(self._operator, context) is not None:
            return ValueItems(self.resolve(context))  # one index's value: already small
        ti = context["ti"]
        return XComItems(dag_id=ti.dag_id, run_id=ti.run_id, task_id=self._operator.task_id, key=self.key)


def _same_map_index(upstream: DAGNode, context: Mapping[str, Any]) -> int | None:
    """Within a mapped task group, a task pulls its group neighbour's value of its own map
    index (Airflow's "relevant upstream map index"); elsewhere every index's (None)."""
    from brisa.sdk.mapped_group import mapped_group_of

    group = mapped_group_of(upstream)
    index = getattr(context["ti"], "map_index", -1)
    if group is None or index < 0 or mapped_group_of(context.get("task")) is not group:
        return None
    return index


class MapXComArg(XComArg):
    """``arg.map(f)``: the referenced list with ``f`` applied to each item, lazily."""

    def __init__(self, arg: XComArg, callables: list[Callable[[Any], Any]]) -> None:
        self.arg = arg
        self.callables = callables

    def __repr__(self) -> str:
        return f"{self.arg!r}.map([{len(self.callables)} functions])"

    @property
    def operator(self) -> DAGNode:
        return self.arg.operator

    @property
    def key(self) -> str:
        return getattr(self.arg, "key", XCOM_RETURN_KEY)

    def iter_references(self) -> Iterator[tuple[DAGNode, str]]:
        return self.arg.iter_references()

    def map(self, f: Callable[[Any], Any]) -> MapXComArg:
        return MapXComArg(self.arg, [*self.callables, f])

    def resolve(self, context: Mapping[str, Any]) -> Any:
        value = self.arg.resolve(context)
        if isinstance(value, Mapping):
            items: list[Any] = list(value.items())
        elif isinstance(value, list | tuple):
            items = list(value)
        else:
            raise ValueError(f"XComArg.map() expects a list or dict, got {type(value).__name__}")
        for function in self.callables:
            items = [function(item) for item in items]
        return items

    def items(self, context: Mapping[str, Any]) -> Items:
        try:
            return MappedItems(self.arg.items(context), self.callables)
        except Unmappable as exc:
            raise ValueError(f"XComArg.map() expects a list or dict, got {exc.type_name}") from None


class ZipXComArg(XComArg):
    """``a.zip(b, c, fillvalue=...)``: the references' values zipped into tuples.

    As Airflow's: the shortest input sets the length unless ``fillvalue`` is given, then
    the longest does and the shorter ones are padded.  A dict input zips its
    ``(key, value)`` pairs, as mapping over a dict does.
    """

    def __init__(self, args: Sequence[Any], *, fillvalue: Any = NOTSET) -> None:
        if not args:
            raise ValueError("At least one input is required")
        self.args = list(args)
        self.fillvalue = fillvalue

    def __repr__(self) -> str:
        inputs = ", ".join(repr(arg) for arg in self.args)
        if isinstance(self.fillvalue, ArgNotSet):
            return f"{self.args[0]!r}.zip({inputs})"
        return f"{self.args[0]!r}.zip({inputs}, fillvalue={self.fillvalue!r})"

    @property
    def is_longest(self) -> bool:
        return not isinstance(self.fillvalue, ArgNotSet)

    def iter_references(self) -> Iterator[tuple[DAGNode, str]]:
        for arg in self.args:
            if isinstance(arg, XComArg):
                yield from arg.iter_references()

    def resolve(self, context: Mapping[str, Any]) -> Any:
        columns = [_as_items(resolve_references(arg, context)) for arg in self.args]
        if self.is_longest:
            return list(itertools.zip_longest(*columns, fillvalue=self.fillvalue))
        return list(zip(*columns, strict=False))

    def items(self, context: Mapping[str, Any]) -> Items:
        try:
            columns = [lazy_items(arg, context) for arg in self.args]
        except Unmappable as exc:
            raise ValueError(f"XComArg.zip() expects lists or dicts, got {exc.type_name}") from None
        return ZippedItems(columns, longest=self.is_longest, fillvalue=self.fillvalue)


def _as_items(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, list | tuple):
        return list(value)
    raise ValueError(f"XComArg.zip() expects lists or dicts, got {type(value).__name__}")


class DagParam(DependencyMixin):
    """An ``@dag`` function argument: the run's value of the DAG param ``name``."""

    def __init__(self, current_dag: DAG, name: str, default: Any = NOTSET) -> None:
        if not isinstance(default, ArgNotSet):
            current_dag.params[name] = default
        self._name = name
        self._default = default

    def __repr__(self) -> str:
        return f"DagParam({self._name!r})"

    def iter_references(self) -> Iterator[tuple[DAGNode, str]]:
        return iter(())

    def resolve(self, context: Mapping[str, Any]) -> Any:
        params = context.get("params") or {}
        if self._name in params:
            return params[self._name]
        if not isinstance(self._default, ArgNotSet):
            return self._default
        # Airflow 2.10 and 3.1 raise AirflowException here (a task failure, not a KeyError).
        raise AirflowException(f"No value could be resolved for parameter {self._name}")


def _is_resolvable(value: Any) -> bool:
    return isinstance(value, XComArg | DagParam)


def iter_references(value: Any) -> Iterator[DAGNode]:
    """Operators referenced by XComArgs anywhere inside ``value``."""
    if isinstance(value, XComArg):
        for operator, _ in value.iter_references():
            yield operator
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from iter_references(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_references(item)


def resolve_references(value: Any, context: Mapping[str, Any]) -> Any:
    """``value`` with every XComArg / DagParam inside it replaced by its run-time value."""
    if _is_resolvable(value):
        return value.resolve(context)
    if isinstance(value, list):
        return [resolve_references(v, context) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(resolve_references(v, context) for v in value)
    if isinstance(value, set | frozenset):
        return type(value)(resolve_references(v, context) for v in value)
    if isinstance(value, dict):
        return {k: resolve_references(v, context) for k, v in value.items()}
    return value


def lazy_items(value: Any, context: Mapping[str, Any]) -> Items:
    """What expanding over ``value`` maps: an XCom's items are fetched one at a time, a
    literal list's XComArgs resolved only in the item read. Raises :class:`Unmappable`."""
    if isinstance(value, XComArg):
        return value.items(context)
    if isinstance(value, DagParam):
        return ValueItems(value.resolve(context))
    return ResolvedItems(items_of(value), lambda item: resolve_references(item, context))


def describe_value(value: Any) -> Any:
    """A JSON-friendly description of an operator argument for the UI."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [describe_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): describe_value(v) for k, v in value.items()}
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}".lstrip(".")
    return repr(value)


__all__ = [
    "XCOM_RETURN_KEY",
    "DagParam",
    "MapXComArg",
    "PlainXComArg",
    "XComArg",
    "ZipXComArg",
    "describe_value",
    "iter_references",
    "lazy_items",
    "resolve_references",
]
