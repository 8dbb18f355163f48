"""Sequences a mapped try indexes into, fetching only the items it reads.

A try of a mapped task needs its own item of each expanded argument, and the lengths
to find which item that is (the cross product of several arguments). These sequences
ask the runtime for a length once and for one item at a time (``xcom_sequence``), and
apply ``.map()`` functions and ``.zip()`` to that item only, as Airflow 3's lazy
``_MapResult`` / ``_ZipResult`` do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from brisa.runtime import current_runtime
from brisa.sdk.exceptions import XComNotFound

XCOM_RETURN_KEY = "return_value"


class Unmappable(ValueError):
    """The value cannot be mapped over; callers say which argument in their words."""

    def __init__(self, type_name: str) -> None:
        super().__init__(f"cannot map over a value of type {type_name!r}")
        self.type_name = type_name


def items_of(value: Any) -> list[Any]:
    """A pulled value's items (a dict's are its ``(key, value)`` pairs)."""
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, list | tuple):
        return list(value)
    raise Unmappable(type(value).__name__)


class Items(Sequence[Any]):
    """Length known up front; each item built on demand by :meth:`item`."""

    length: int
    type_name = "list"
    """The type of the value the items come from (``expand_kwargs`` needs a list)."""

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, int):
            raise TypeError("mapped items are read one index at a time")
        if index < 0:
            index += self.length
        if not 0 <= index < self.length:
            raise IndexError(f"index {index} out of range ({self.length} items)")
        return self.item(index)

    def item(self, index: int) -> Any:
        raise NotImplementedError


class ValueItems(Items):
    """The items of a value already pulled."""

    def __init__(self, value: Any) -> None:
        self.type_name = type(value).__name__
        self.items = items_of(value)
        self.length = len(self.items)

    def item(self, index: int) -> Any:
        return self.items[index]


class XComItems(Items):
    """One task's XCom, item by item: a plain task's list (or dict), a mapped task's values."""

    def __init__(self, *, dag_id: str, run_id: str, task_id: str, key: str) -> None:
        self.names = {"dag_id": dag_id, "run_id": run_id, "task_id": task_id, "key": key}
        answer = current_runtime().xcom_sequence(**self.names, index=None)
        if answer.get("missing") and key != XCOM_RETURN_KEY:
            raise XComNotFound(dag_id, task_id, key)
        self.type_name = "NoneType" if answer.get("missing") else str(answer["type"])
        if "length" not in answer:
            raise Unmappable(self.type_name)
        self.length = int(answer["length"])

    def item(self, index: int) -> Any:
        return current_runtime().xcom_sequence(**self.names, index=index)["item"]


class MappedItems(Items):
    """``arg.map(f, g)``: the functions applied to the one item read."""

    def __init__(self, items: Sequence[Any], functions: list[Callable[[Any], Any]]) -> None:
        self.items, self.functions, self.length = items, functions, len(items)

    def item(self, index: int) -> Any:
        value = self.items[index]
        for function in self.functions:
            value = function(value)
        return value


class ZippedItems(Items):
    """``a.zip(b)``: tuples of the n-th items; padded with ``fillvalue`` when ``longest``."""

    def __init__(self, columns: Sequence[Sequence[Any]], *, longest: bool, fillvalue: Any) -> None:
        self.columns, self.longest, self.fillvalue = columns, longest, fillvalue
        lengths = [len(column) for column in columns]
        self.length = max(lengths) if longest else min(lengths)

    def item(self, index: int) -> tuple[Any, ...]:
        return tuple(c[index] if index < len(c) else self.fillvalue for c in self.columns)


class ResolvedItems(Items):
    """A literal list whose items may hold XComArgs: each resolved when read."""

    def __init__(self, items: list[Any], resolve: Callable[[Any], Any]) -> None:
        self.items, self.resolve, self.length = items, resolve, len(items)

    def item(self, index: int) -> Any:
        return self.resolve(self.items[index])


__all__ = [
    "Items",
    "MappedItems",
    "ResolvedItems",
    "Unmappable",
    "ValueItems",
    "XComItems",
    "ZippedItems",
    "items_of",
]
