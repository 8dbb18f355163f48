"""Clearing and marking task instances (the UI's and API's actions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from brisa.errors import ConflictError, DagError, NotFoundError
from brisa.plan.tasks import NewTi
from brisa.serialized import SerializedDag
from brisa.services.runs import set_run_state, ti_rows
from brisa.states import FINISHED, RunState, TaskState, advance_ti
from brisa.store.records import RunRecord, TiRecord
from brisa.store.sql import Transaction

MARKER_OPERATOR = "ExternalTaskMarker"

_CLEARABLE_TO_NONE = frozenset(
    {
        *FINISHED,
        TaskState.SCHEDULED,
        TaskState.QUEUED,
        TaskState.UP_FOR_RETRY,
        TaskState.UP_FOR_RESCHEDULE,
        TaskState.DEFERRED,  # no process to wait for: its trigger is dropped as unused
    }
)


def relatives(dag: SerializedDag, task_ids: Iterable[str], *, upstream: bool, downstream: bool) -> set[str]:
    """The tasks plus, transitively, their upstream and/or downstream tasks."""
    selected = set(task_ids)
    frontier = list(selected)
    while frontier:
        task = dag.tasks.get(frontier.pop())
        if task is None:
            continue
        neighbours = (list(task.upstream) if upstream else []) + (list(task.downstream) if downstream else [])
        for other in neighbours:
            if other not in selected:
                selected.add(other)
                frontier.append(other)
    return selected


def clear_task_instances(
    tx: Transaction,
    dag: SerializedDag,
    run: RunRecord,
    tis: Iterable[TiRecord],
    *,
    now: datetime,
    depth: MarkerDepth | None = None,
) -> list[TiRecord]:
    """Send tries back to "no state" so the scheduler runs them again; returns those cleared.

    A running try becomes ``restarting`` first: its supervisor stops the process and only
    then lets it go back to none, so two tries of one task never run at once.

    As Airflow's clear, an ``ExternalTaskMarker`` among them also clears the task it marks
    in the other DAG's run, with that task's downstream, and so on through the markers
    found there (returned too), up to the first marker's ``recursion_depth``.
    """
    cleared = _clear_in_run(tx, dag, run, tis, now=now)
    return cleared + _clear_marked(tx, dag, run, cleared, now=now, depth=depth)


def _clear_in_run(
    tx: Transaction, dag: SerializedDag, run: RunRecord, tis: Iterable[TiRecord], *, now: datetime
) -> list[TiRecord]:
    cleared = []
    for ti in tis:
        task = dag.tasks.get(ti.task_id)
        retries = task.retries if task else 0
        if ti.state == TaskState.RUNNING:
            moved = advance_ti(tx, ti.key, TaskState.RUNNING, TaskState.RESTARTING, updated_at=now)
        elif ti.state in _CLEARABLE_TO_NONE:
            moved = advance_ti(
                tx,
                ti.key,
                ti.state,
                None,
                max_tries=ti.try_number + retries,
                next_try_at=None,
                end_date=None,
                updated_at=now,
            )
        else:
            moved = False
        if moved:
            tx.xcoms.delete(ti.key)
            cleared.append(ti)
    if cleared and run.state != RunState.QUEUED:
        set_run_state(tx, run, RunState.QUEUED, now=now)
        tx.runs.update_fields(run.dag_id, run.run_id, clear_number=run.clear_number + 1)
    return cleared


@dataclass(frozen=True)
class MarkerDepth:
    """How deep a clear has followed ExternalTaskMarkers, and how deep it may go."""

    level: int
    limit: int


def _clear_marked(
    tx: Transaction,
    dag: SerializedDag,
    run: RunRecord,
    cleared: list[TiRecord],
    *,
    now: datetime,
    depth: MarkerDepth | None,
) -> list[TiRecord]:
    found: list[TiRecord] = []
    for ti in cleared:
        task = dag.tasks.get(ti.task_id)
        if task is None or task.operator != MARKER_OPERATOR:
            continue
        depth = depth or MarkerDepth(0, int(task.extra.get("recursion_depth") or 10))
        if depth.level + 1 > depth.limit:
            raise DagError(
                f"Maximum recursion depth {depth.limit} reached for {MARKER_OPERATOR} {ti.task_id}. "
                "Attempted to clear too many tasks or there may be a cyclic dependency."
            )
        inner = MarkerDepth(depth.level + 1, depth.limit)
        for ext_dag, ext_run, ext_tis in _marked(tx, task.extra, marked_logical_date(ti, task.extra, run)):
            found += clear_task_instances(tx, ext_dag, ext_run, ext_tis, now=now, depth=inner)
    return found


def _marked(
    tx: Transaction, extra: dict[str, Any], logical_date: datetime | None
) -> list[tuple[SerializedDag, RunRecord, list[TiRecord]]]:
    """The marked task's instances in the other DAG's run, with their downstream."""
    ext_dag_id, ext_task_id = str(extra.get("external_dag_id")), str(extra.get("external_task_id"))
    ext_run = tx.runs.by_logical_date(ext_dag_id, logical_date) if logical_date else None
    if ext_run is None:
        return []
    ext_dag = tx.dags.serialized(ext_dag_id)
    if ext_dag is None:
        raise NotFoundError(f"Could not find dag {ext_dag_id}")
    wanted = relatives(ext_dag, [ext_task_id], upstream=False, downstream=True)
    tis = [ti for ti in tx.tis.for_run(ext_dag_id, ext_run.run_id) if ti.task_id in wanted]
    return [(ext_dag, ext_run, tis)] if any(ti.task_id == ext_task_id for ti in tis) else []


def marked_logical_date(ti: TiRecord, extra: dict[str, Any], run: RunRecord) -> datetime | None:
    """The logical date an ExternalTaskMarker points at: its rendered ``logical_date``
    when it ran, a literal date as given, otherwise (a template never rendered) the
    run's own, which is what the default ``{{ logical_date.isoformat() }}`` renders to."""
    rendered = (ti.rendered_fields or {}).get("logical_date")
    for value in (rendered, extra.get("logical_date")):
        if isinstance(value, str) and "{{" not in value:
            try:
                return _aware(datetime.fromisoformat(value))
            except ValueError:
                continue
    return run.logical_date


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def new_task_ids(tx: Transaction, dag: SerializedDag, run: RunRecord) -> list[str]:
    """The DAG's tasks the run has no instance of: tasks added to the file since the run began."""
    present = {ti.task_id for ti in tx.tis.for_run(run.dag_id, run.run_id)}
    return [task_id for task_id in dag.tasks if task_id not in present]


def queue_new_tasks(tx: Transaction, dag: SerializedDag, run: RunRecord, *, now: datetime) -> list[str]:
    """Airflow's ``only_new`` clear: instances for the new tasks, the run queued again.

    The run's existing task instances are left as they are; returns the new task ids.
    """
    task_ids = new_task_ids(tx, dag, run)
    if task_ids:
        tx.tis.create_many(ti_rows(dag, run.run_id, [NewTi(task_id, -1) for task_id in task_ids]), now=now)
        if run.state != RunState.QUEUED:
            set_run_state(tx, run, RunState.QUEUED, now=now)
    return task_ids


def refuse_running(tis: Iterable[TiRecord]) -> None:
    """ConflictError when one of ``tis`` runs (a clear with ``prevent_running_task``)."""
    running = sorted(ti.task_id for ti in tis if ti.state in (TaskState.RUNNING, TaskState.RESTARTING))
    if running:
        raise ConflictError(
            f"Cannot clear running task instances ({', '.join(running)}): "
            "wait until they finish, or clear without prevent_running_task"
        )


def mark_task_instances(
    tx: Transaction, tis: Iterable[TiRecord], to: TaskState, *, now: datetime
) -> list[TiRecord]:
    """Set tries to success/failed/skipped by hand (a running process is then stopped)."""
    marked = []
    for ti in tis:
        if ti.state == to:
            continue
        if advance_ti(tx, ti.key, ti.state, to, end_date=now, updated_at=now):
            marked.append(ti)
    return marked


def skip_in_run(
    tx: Transaction,
    dag_id: str,
    run_id: str,
    task_ids: Iterable[str],
    *,
    now: datetime,
    map_index: int | None = None,
) -> int:
    """Skip tasks that have not started (branching and short-circuit)."""
    wanted = set(task_ids)
    count = 0
    for ti in tx.tis.for_run(dag_id, run_id):
        if ti.task_id not in wanted or (map_index is not None and ti.map_index not in (map_index, -1)):
            continue
        if ti.state in (None, TaskState.SCHEDULED) and advance_ti(
            tx, ti.key, ti.state, TaskState.SKIPPED, start_date=now, end_date=now, updated_at=now
        ):
            count += 1
    return count


def is_clearable(state: TaskState | None) -> bool:
    """Whether clearing would move a try in ``state`` (back to none, or to restarting)."""
    return state == TaskState.RUNNING or state in _CLEARABLE_TO_NONE


def mark_run(tx: Transaction, run: RunRecord, to: RunState, *, now: datetime) -> bool:
    """Mark a run by hand, with what Airflow does to its task instances.

    ``success``: every task instance not yet succeeded or skipped becomes success.
    ``failed``: running tries fail, the others not finished are skipped.
    ``queued``: the run only goes back to the queue. False when the run already is ``to``.
    """
    if run.state == to:
        return False
    tis = [ti for ti in tx.tis.for_run(run.dag_id, run.run_id) if ti.state != TaskState.REMOVED]
    if to == RunState.SUCCESS:
        pending = [ti for ti in tis if ti.state not in (TaskState.SUCCESS, TaskState.SKIPPED)]
        mark_task_instances(tx, pending, TaskState.SUCCESS, now=now)
    elif to == RunState.FAILED:
        running = [ti for ti in tis if ti.state in (TaskState.RUNNING, TaskState.RESTARTING)]
        unfinished = [ti for ti in tis if ti not in running and (ti.state is None or ti.state.is_unfinished)]
        mark_task_instances(tx, running, TaskState.FAILED, now=now)
        mark_task_instances(tx, unfinished, TaskState.SKIPPED, now=now)
    if not set_run_state(tx, run, to, now=now):
        raise ConflictError(f"DAG run {run.run_id!r} of DAG {run.dag_id!r} changed meanwhile; try again")
    return True


__all__ = [
    "MARKER_OPERATOR",
    "MarkerDepth",
    "clear_task_instances",
    "is_clearable",
    "mark_run",
    "mark_task_instances",
    "marked_logical_date",
    "new_task_ids",
    "queue_new_tasks",
    "refuse_running",
    "relatives",
    "skip_in_run",
]
