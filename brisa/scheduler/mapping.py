"""How many instances a mapped task expands into, once its inputs are known."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from brisa import serde
from brisa.serialized import MappedInput, MappedSpec, SerializedDag, SerializedTask
from brisa.states import TaskState
from brisa.store.records import RunRecord, TaskKey
from brisa.store.sql import Transaction


def expansion_length(tx: Transaction, dag: SerializedDag, run: RunRecord, task: SerializedTask) -> int | None:
    """The number of map indexes, or None while an input is not known yet."""
    assert task.mapped is not None

    def xcom_length(inp: MappedInput) -> int | None:
        return _xcom_length(tx, dag, run, inp)

    return spec_length(task.mapped, xcom_length)


def spec_length(spec: MappedSpec, xcom_length: Callable[[MappedInput], int | None]) -> int | None:
    """Pure: the length of ``expand`` (cross product) or ``expand_kwargs`` (one list)."""
    lengths = []
    for inp in spec.inputs:
        length = input_length(inp, xcom_length)
        if length is None:
            return None
        lengths.append(length)
    if spec.kind == "expand_kwargs":
        return lengths[0] if lengths else 0
    total = 1
    for length in lengths:
        total *= length
    return total


def input_length(inp: MappedInput, xcom_length: Callable[[MappedInput], int | None]) -> int | None:
    """One input's length; a zip's is its shortest input's (its longest's with a fillvalue)."""
    if inp.zip_of:
        lengths = [input_length(part, xcom_length) for part in inp.zip_of]
        if any(length is None for length in lengths):
            return None
        return (max if inp.zip_longest else min)(lengths)  # type: ignore[type-var]
    return inp.literal_length if inp.xcom_task_id is None else xcom_length(inp)


def _xcom_length(tx: Transaction, dag: SerializedDag, run: RunRecord, inp: MappedInput) -> int | None:
    upstream = dag.tasks.get(inp.xcom_task_id or "")
    tis = [ti for ti in tx.tis.for_run(run.dag_id, run.run_id) if ti.task_id == inp.xcom_task_id]
    if not tis or any(ti.state != TaskState.SUCCESS for ti in tis):
        return None if not all(ti.state in (TaskState.SKIPPED, TaskState.FAILED) for ti in tis) else 0
    if upstream is not None and upstream.is_mapped:
        # The output of a mapped task is the sequence of its instances' return values.
        records = tx.xcoms.pull(
            dag_id=run.dag_id, run_id=run.run_id, task_ids=[inp.xcom_task_id or ""], key=inp.xcom_key
        )
        return len(records)
    raw = tx.xcoms.raw_value(TaskKey(run.dag_id, run.run_id, inp.xcom_task_id or "", -1), inp.xcom_key)
    return _length_of(serde.loads(raw)) if raw is not None else 0


def _length_of(value: Any) -> int:
    if isinstance(value, list | tuple | dict | set):
        return len(value)
    raise TypeError(f"cannot map over a value of type {type(value).__name__}: expected a list or dict")


__all__ = ["expansion_length", "input_length", "spec_length"]
