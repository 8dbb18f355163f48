"""Dynamic task mapping: ``Op.partial(...).expand(...)`` and ``.expand_kwargs(...)``.

A :class:`MappedOperator` stands in the DAG for all its map indexes.  At run time the
runner asks it for the concrete operator of one index with :meth:`MappedOperator.unmap`;
the scheduler only sees its :class:`~brisa.serialized.MappedSpec`.

Map index order is Airflow's: for ``expand(a=[1, 2], b=["x", "y"])`` the indexes go
``(1, x), (1, y), (2, x), (2, y)`` - the last argument varies fastest.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from brisa.sdk import context as ambient
from brisa.sdk.baseoperator import BaseOperator, _merged_default_args
from brisa.sdk.exceptions import AirflowException, UnmappableOperator
from brisa.sdk.keys import validate_key
from brisa.sdk.node import DAGNode
from brisa.sdk.xcom_arg import (
    MapXComArg,
    XComArg,
    ZipXComArg,
    describe_value,
    iter_references,
    lazy_items,
    resolve_references,
)
from brisa.sdk.xcom_items import ResolvedItems, Unmappable
from brisa.serialized import MappedInput, MappedSpec

_RESERVED = frozenset({"task_id", "dag", "task_group", "default_args"})


def init_arg_names(operator_class: type) -> set[str]:
    """Every keyword an operator class's ``__init__`` chain accepts."""
    names: set[str] = set()
    for klass in operator_class.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        for param in list(inspect.signature(init).parameters.values())[1:]:
            if param.kind in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD):
                names.add(param.name)
    return names


def _signature_default(operator_class: type, name: str) -> Any:
    for klass in operator_class.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        param = inspect.signature(init).parameters.get(name)
        if param is not None and param.default is not param.empty:
            return param.default
    raise AttributeError(name)


def validate_mapping_kwargs(operator_class: type, func: str, kwargs: Mapping[str, Any]) -> None:
    accepted = init_arg_names(operator_class)
    for name in kwargs:
        if name not in accepted:
            raise TypeError(f"{operator_class.__name__}.{func}() got an unexpected keyword argument {name!r}")


def _check_expand_value(name: str, value: Any) -> None:
    if isinstance(value, XComArg | list | tuple | dict):
        return
    raise ValueError(
        f"expand() got an unexpected type {type(value).__name__!r} for keyword argument {name!r}"
    )


class ExpandInput:
    """What a mapped task is expanded over: ``kind`` is ``expand`` or ``expand_kwargs``."""

    def __init__(self, kind: str, value: Any) -> None:
        self.kind = kind
        self.value = value

    def iter_references(self) -> list[DAGNode]:
        return list(iter_references(self.value))

    def to_spec(self) -> MappedSpec:
        if self.kind == "expand":
            return MappedSpec("expand", tuple(_mapped_input(name, v) for name, v in self.value.items()))
        return MappedSpec("expand_kwargs", (_mapped_input("kwargs", self.value),))

    # -- run time ----------------------------------------------------------------
    # A try reads the lengths and its own item only: XComs are fetched item by item
    # (brisa.sdk.xcom_items), so N tries of a task mapped over N items cost O(N), not O(N²).
    def _expanded(self, context: Mapping[str, Any]) -> dict[str, Sequence[Any]]:
        """Each expanded argument's items (``expand``), lazily."""
        expanded: dict[str, Sequence[Any]] = {}
        for name, value in self.value.items():
            try:
                expanded[name] = lazy_items(value, context)
            except Unmappable as exc:
                raise ValueError(
                    f"unmappable return type {exc.type_name!r} for expanded argument {name!r}"
                ) from None
        return expanded

    def _kwargs_list(self, context: Mapping[str, Any]) -> Sequence[Any]:
        """The list of dicts ``expand_kwargs`` maps over, lazily."""
        if not isinstance(self.value, XComArg):
            return _kwargs_sequence(self.value, lambda item: resolve_references(item, context))
        try:
            items = self.value.items(context)
        except Unmappable as exc:
            raise ValueError(f"expand_kwargs() expects a list of dicts, got {exc.type_name}") from None
        if items.type_name not in ("list", "tuple"):  # a dict's items are not a list of dicts
            raise ValueError(f"expand_kwargs() expects a list of dicts, got {items.type_name}")
        return items

    def pulled_names(self, map_index: int) -> set[str]:
        """Mapped arguments whose values come from an XCom: Airflow does not render
        those as templates (XCom content is data, not a template)."""
        if self.kind == "expand":
            return {name for name, value in self.value.items() if isinstance(value, XComArg)}
        if isinstance(self.value, XComArg):
            return {"*"}
        item = self.value[map_index] if map_index < len(self.value) else None
        return {"*"} if isinstance(item, XComArg) else set()

    def length(self, context: Mapping[str, Any]) -> int:
        if self.kind == "expand_kwargs":
            return len(self._kwargs_list(context))
        total = 1
        for values in self._expanded(context).values():
            total *= len(values)
        return total

    def kwargs_for(self, map_index: int, context: Mapping[str, Any]) -> dict[str, Any]:
        """The mapped arguments of one map index."""
        if self.kind == "expand_kwargs":
            item = self._kwargs_list(context)[map_index]
            if not isinstance(item, Mapping) or not all(isinstance(k, str) for k in item):
                raise ValueError(
                    f"expand_kwargs() item {map_index} must be a dict with str keys, got {item!r}"
                )
            return dict(item)
        return _pick_product(self._expanded(context), map_index)


def _mapped_input(name: str, value: Any) -> MappedInput:
    if isinstance(value, MapXComArg):
        return _mapped_input(name, value.arg)
    if isinstance(value, ZipXComArg):
        zipped = tuple(_mapped_input(name, arg) for arg in value.args)
        return MappedInput(name=name, zip_of=zipped, zip_longest=value.is_longest)
    if isinstance(value, XComArg):
        return MappedInput(
            name=name, xcom_task_id=value.operator.task_id, xcom_key=getattr(value, "key", "return_value")
        )
    return MappedInput(name=name, literal_length=len(value))


def _kwargs_sequence(value: Any, resolve: Any = None) -> Sequence[Any]:
    """``expand_kwargs``' list: a list or tuple, never a dict's items."""
    if not isinstance(value, list | tuple):
        raise ValueError(f"expand_kwargs() expects a list of dicts, got {type(value).__name__}")
    return list(value) if resolve is None else ResolvedItems(list(value), resolve)


def _pick_product(resolved: Mapping[str, Sequence[Any]], map_index: int) -> dict[str, Any]:
    total = 1
    for values in resolved.values():
        total *= len(values)
    if not 0 <= map_index < total:
        raise IndexError(f"map index {map_index} out of range (the task expands to {total})")
    picked: dict[str, Any] = {}
    remainder = map_index
    for name in reversed(list(resolved)):
        values = resolved[name]
        picked[name] = values[remainder % len(values)]
        remainder //= len(values)
    return {name: picked[name] for name in resolved}


class OperatorPartial:
    """``Op.partial(**kwargs)``: the arguments every map index shares."""

    def __init__(
        self, operator_class: type[BaseOperator], kwargs: dict[str, Any], *, mapped_into: str | None = None
    ):
        if "task_id" not in kwargs:
            raise TypeError("partial() missing required argument: 'task_id'")
        if mapped_into is None:
            validate_mapping_kwargs(
                operator_class, "partial", {k: v for k, v in kwargs.items() if k not in _RESERVED}
            )
        self.operator_class = operator_class
        self.kwargs = kwargs
        self.mapped_into = mapped_into

    def __repr__(self) -> str:
        return f"{self.operator_class.__name__}.partial({self.kwargs!r})"

    def expand(self, **mapped_kwargs: Any) -> MappedOperator:
        if not mapped_kwargs:
            raise TypeError("no arguments to expand against")
        if self.mapped_into is None:
            validate_mapping_kwargs(self.operator_class, "expand", mapped_kwargs)
        shared = self._shared_names()
        for name, value in mapped_kwargs.items():
            if name in _RESERVED or name in shared:
                raise TypeError(f"unmappable or already specified argument: {name}")
            _check_expand_value(name, value)
        return MappedOperator(
            self.operator_class,
            self.kwargs,
            ExpandInput("expand", mapped_kwargs),
            mapped_into=self.mapped_into,
        )

    def expand_kwargs(self, kwargs: Any, *, strict: bool = True) -> MappedOperator:
        if isinstance(kwargs, Sequence) and not isinstance(kwargs, str):
            for item in kwargs:
                if not isinstance(item, XComArg | Mapping):
                    raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")
        elif not isinstance(kwargs, XComArg):
            raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")
        return MappedOperator(
            self.operator_class,
            self.kwargs,
            ExpandInput("expand_kwargs", kwargs),
            mapped_into=self.mapped_into,
        )

    def _shared_names(self) -> set[str]:
        if self.mapped_into is None:
            return set(self.kwargs)
        return set(self.kwargs.get(self.mapped_into) or {})


def _base_arg_names() -> frozenset[str]:
    return frozenset(init_arg_names(BaseOperator)) - _RESERVED - {"params"}


class MappedOperator(DAGNode):
    """A task expanded into one concrete operator per map index at run time."""

    def __init__(
        self,
        operator_class: type[BaseOperator],
        partial_kwargs: dict[str, Any],
        expand_input: ExpandInput,
        *,
        mapped_into: str | None = None,
    ) -> None:
        self._init_node()
        kwargs = dict(partial_kwargs)
        dag = kwargs.pop("dag", None) or ambient.current_dag()
        group = kwargs.pop("task_group", None) or ambient.current_task_group(dag)
        task_id = kwargs.pop("task_id")
        validate_key(task_id)
        self.operator_class = operator_class
        self.expand_input = expand_input
        self.mapped_into = mapped_into
        self.task_id = group.child_id(task_id) if group is not None else task_id
        self.default_args = _merged_default_args(_Detached(), {"dag": dag, "task_group": group, **kwargs})
        kwargs.pop("default_args", None)
        self.partial_kwargs = kwargs
        self.map_index_template = kwargs.get("map_index_template")
        self._proto = self._build_prototype(dag)
        self.start_date = self._proto.start_date
        self.params = self._proto.params
        if group is not None:
            self.task_group = group
            group.add(self)
        if dag is not None:
            self.dag = dag
        for operator in [*expand_input.iter_references(), *iter_references(list(kwargs.values()))]:
            if operator is not self:
                self.set_upstream(operator)

    def _build_prototype(self, dag: Any) -> BaseOperator:
        """A detached plain BaseOperator holding the task-level attributes."""
        names = _base_arg_names()
        base_kwargs = {k: v for k, v in {**self.default_args, **self.partial_kwargs}.items() if k in names}
        proto = BaseOperator.__new__(BaseOperator)
        proto.__dict__["_brisa_detached"] = True
        proto.__init__(  # type: ignore[misc]
            task_id=self.task_id,
            dag=dag,
            params=self.partial_kwargs.get("params"),
            default_args={"params": self.default_args.get("params")}
            if self.default_args.get("params")
            else None,
            **base_kwargs,
        )
        return proto

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or "_proto" not in self.__dict__:
            raise AttributeError(name)
        partial_kwargs = self.__dict__["partial_kwargs"]
        if name in partial_kwargs:
            return partial_kwargs[name]
        if name in self.__dict__["default_args"] and name in init_arg_names(self.operator_class):
            return self.__dict__["default_args"][name]
        if name in _base_arg_names() or name in {"map_index", "is_setup", "is_teardown", "task_display_name"}:
            return getattr(self.__dict__["_proto"], name)
        if hasattr(self.operator_class, name):
            return getattr(self.operator_class, name)
        try:
            return _signature_default(self.operator_class, name)
        except AttributeError:
            raise AttributeError(
                f"{type(self).__name__} {self.task_id!r} has no attribute {name!r}"
            ) from None

    def __repr__(self) -> str:
        return f"<Mapped({self.task_type}): {self.task_id}>"

    @property
    def is_mapped(self) -> bool:
        return True

    @property
    def task_type(self) -> str:
        return self.operator_class.__name__

    @property
    def operator_name(self) -> str:
        return getattr(self.operator_class, "custom_operator_name", None) or self.task_type

    @property
    def output(self) -> XComArg:
        from brisa.sdk.xcom_arg import PlainXComArg

        return PlainXComArg(self)

    def to_spec(self) -> MappedSpec:
        return self.expand_input.to_spec()

    # -- run time ------------------------------------------------------------------
    def map_length(self, context: Mapping[str, Any]) -> int:
        """How many map indexes the task expands to, given a try's context (XComs)."""
        return self.expand_input.length(context)

    def kwargs_for(self, map_index: int, context: Mapping[str, Any]) -> dict[str, Any]:
        return self.expand_input.kwargs_for(map_index, context)

    def unmap(self, map_index: int, context: Mapping[str, Any]) -> BaseOperator:
        """The concrete operator of ``map_index``, its mapped arguments resolved."""
        mapped_kwargs = self.kwargs_for(map_index, context)
        pulled = self.expand_input.pulled_names(map_index)
        names = set(mapped_kwargs) if "*" in pulled else pulled
        return self.create_unmapped(map_index, mapped_kwargs, pulled=names)

    def create_unmapped(
        self,
        map_index: int,
        mapped_kwargs: Mapping[str, Any],
        *,
        pulled: set[str] | frozenset[str] = frozenset(),
    ) -> BaseOperator:
        """The operator of ``map_index`` given its mapped values; ``pulled`` names the
        values that came from XComs, which rendering leaves as they are."""
        kwargs = dict(self.partial_kwargs)
        if self.mapped_into is not None:
            values = {k: (Pulled(v) if k in pulled else v) for k, v in mapped_kwargs.items()}
            kwargs[self.mapped_into] = {**(kwargs.get(self.mapped_into) or {}), **values}
        else:
            kwargs.update(mapped_kwargs)
        operator = self.operator_class.__new__(self.operator_class)
        operator.__dict__["_brisa_detached"] = True
        try:
            operator.__init__(  # type: ignore[misc]
                task_id=self.task_id,
                dag=self._dag,
                task_group=self.task_group,
                default_args=self.default_args,
                **kwargs,
            )
        except TypeError as err:
            raise UnmappableOperator(f"cannot create map index {map_index} of {self.task_id}: {err}") from err
        operator.map_index = map_index
        if self.mapped_into is None:
            operator.__dict__["_brisa_pulled_ids"] = {
                id(mapped_kwargs[name]) for name in pulled if name in mapped_kwargs
            }
        operator.upstream_task_ids = set(self.upstream_task_ids)
        operator.downstream_task_ids = set(self.downstream_task_ids)
        operator.start_date = self.start_date
        operator.is_setup = self._proto.is_setup
        operator.is_teardown = self._proto.is_teardown
        return operator

    def serialize_extra(self) -> dict[str, Any]:
        extra = {k: describe_value(v) for k, v in self.partial_kwargs.items() if k not in _base_arg_names()}
        extra["expand_kind"] = self.expand_input.kind
        extra["expand_input"] = describe_value(self.expand_input.value)
        return extra

    def expand(self, **kwargs: Any) -> Any:
        raise AirflowException(f"{self.task_id} is already mapped")


class Pulled:
    """A value already pulled from an XCom: rendering hands it back unrendered."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Pulled({self.value!r})"

    def resolve(self, context: Mapping[str, Any]) -> Any:
        return self.value

    def iter_references(self) -> list[Any]:
        return []


class _Detached:
    """Stand-in ``self`` for :func:`_merged_default_args` outside an operator."""

    _brisa_detached = False


__all__ = ["ExpandInput", "MappedOperator", "OperatorPartial", "init_arg_names", "validate_mapping_kwargs"]
