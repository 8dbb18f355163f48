"""One item of an upstream XCom for a mapped try, read without re-reading the whole value.

Each try of a task mapped over an N-item list needs one item; handing every try the
whole list costs O(N²) over the run (decoding the list in the supervisor, sending it
to the task process, decoding it there). Airflow 3 asks its API server for one item of a
mapped upstream's values (``GetXComSequenceItem``) and still pulls a plain upstream's
whole list in every try; Brisa does both by item:

* the values of a *mapped* upstream are rows, one per map index: the n-th is one query;
* the list of a *plain* upstream is one row: it is decoded once and kept here, shared by
  every try one executor supervises, as long as the stored row is the same (its
  timestamp and length say so without reading it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from brisa.runtime import mappable_items, sequence_answer
from brisa.store.records import TaskKey
from brisa.store.repos.xcoms import XComRepo

_Entry = tuple[Any, Any, list[Any] | None]
"""(version, value, its mappable items)."""


class XComSequences:
    """Answers ``xcom_sequence`` requests; keeps the last few plain upstream values."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[str, str, str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def answer(
        self, xcoms: XComRepo, *, dag_id: str, run_id: str, task_id: str, key: str, index: int | None
    ) -> dict[str, Any]:
        plain = TaskKey(dag_id, run_id, task_id, -1)
        version = xcoms.version(plain, key)
        if version is None:
            return _mapped_answer(xcoms, dag_id=dag_id, run_id=run_id, task_id=task_id, key=key, index=index)
        _, value, items = self._entry(xcoms, plain, key, version)
        return sequence_answer(value, items, index)

    def _entry(self, xcoms: XComRepo, plain: TaskKey, key: str, version: Any) -> _Entry:
        name = (plain.dag_id, plain.run_id, plain.task_id, key)
        with self._lock:
            entry = self._kept.get(name)
            if entry is not None and entry[0] == version:
                self._kept.move_to_end(name)
                return entry
        value = xcoms.get(plain, key)
        loaded = None if value is None else value.value
        entry = (version, loaded, mappable_items(loaded))
        with self._lock:
            self._kept[name] = entry
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return entry


def _mapped_answer(
    xcoms: XComRepo, *, dag_id: str, run_id: str, task_id: str, key: str, index: int | None
) -> dict[str, Any]:
    """A mapped upstream's value is the list of what its map indexes pushed, in order."""
    length = xcoms.mapped_count(dag_id=dag_id, run_id=run_id, task_id=task_id, key=key)
    if not length:
        return {"missing": True}
    answer: dict[str, Any] = {"type": "list", "length": length}
    if index is not None and 0 <= index < length:
        answer["item"] = xcoms.mapped_nth(dag_id=dag_id, run_id=run_id, task_id=task_id, key=key, n=index)
    return answer


__all__ = ["XComSequences"]
