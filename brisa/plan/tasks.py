"""What should happen in one DAG run now: a pure function of the run's data.

``plan_run`` reads the serialized DAG, the run, its task instances and a few facts the
loop looked up (mapped lengths, the previous run's states) and returns a
:class:`RunPlan`: which task instances change state, which are created, whether the run
is over, and when it next needs a look.  No database, no clock, no DAG code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from brisa.plan.triggers import Decision, UpstreamCounts, evaluate
from brisa.serialized import SerializedDag, SerializedTask
from brisa.states import FAILED_STATES, FINISHED, RunState, TaskState
from brisa.store.records import RunRecord, TaskKey, TiRecord

_WAITING = frozenset({None})
_RETRYING = frozenset({TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE})
_IN_FLIGHT = frozenset(
    {
        TaskState.SCHEDULED,
        TaskState.QUEUED,
        TaskState.RUNNING,
        TaskState.UP_FOR_RETRY,
        TaskState.UP_FOR_RESCHEDULE,
        TaskState.DEFERRED,
    }
)


@dataclass(frozen=True)
class TiChange:
    ti_id: int | None
    key: TaskKey
    frm: TaskState | None
    to: TaskState | None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewTi:
    task_id: str
    map_index: int
    state: TaskState | None = None


@dataclass(frozen=True)
class PastState:
    """The same task in the previous run (for ``depends_on_past``/``wait_for_downstream``)."""

    has_previous_run: bool
    states: Mapping[int, TaskState | None] = field(default_factory=dict)
    """map_index -> state of the task's instances in the previous run."""
    downstream_done: bool = True
    """For wait_for_downstream: the previous instance's direct downstream all succeeded/skipped."""


@dataclass
class RunPlan:
    changes: list[TiChange] = field(default_factory=list)
    new_tis: list[NewTi] = field(default_factory=list)
    run_state: RunState | None = None
    reason: str = ""
    wake_at: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return not self.changes and not self.new_tis and self.run_state is None


def initial_task_instances(dag: SerializedDag) -> list[NewTi]:
    """One instance per task (mapped tasks get a placeholder at map_index -1)."""
    return [NewTi(task_id=t.task_id, map_index=-1) for t in dag.tasks.values()]


def topological_order(dag: SerializedDag) -> list[SerializedTask]:
    indegree = {tid: len([u for u in t.upstream if u in dag.tasks]) for tid, t in dag.tasks.items()}
    ready = [tid for tid, n in indegree.items() if n == 0]
    order: list[SerializedTask] = []
    while ready:
        tid = ready.pop(0)
        task = dag.tasks[tid]
        order.append(task)
        for down in task.downstream:
            if down in indegree:
                indegree[down] -= 1
                if indegree[down] == 0:
                    ready.append(down)
    return order


class _RunState:
    """The run's task-instance states as the plan changes them, so decisions cascade."""

    def __init__(self, tis: Iterable[TiRecord]) -> None:
        self.by_task: dict[str, dict[int, TiRecord]] = {}
        self.state: dict[tuple[str, int], TaskState | None] = {}
        for ti in tis:
            self.by_task.setdefault(ti.task_id, {})[ti.map_index] = ti
            self.state[(ti.task_id, ti.map_index)] = ti.state

    def states_of(self, task_id: str) -> list[TaskState | None]:
        return [self.state[(task_id, i)] for i in self.by_task.get(task_id, {})]

    def states_at(self, task_id: str, map_index: int) -> list[TaskState | None]:
        """The instance of ``map_index`` (a neighbour in a mapped task group), else every one."""
        if (task_id, map_index) in self.state:
            return [self.state[(task_id, map_index)]]
        return self.states_of(task_id)


def _same_mapped_group(dag: SerializedDag, task: SerializedTask, upstream_id: str) -> bool:
    group = task.mapped.group if task.mapped is not None else None
    upstream = dag.tasks.get(upstream_id)
    return (
        group is not None
        and upstream is not None
        and upstream.mapped is not None
        and (upstream.mapped.group == group)
    )


def plan_run(
    dag: SerializedDag,
    run: RunRecord,
    tis: Iterable[TiRecord],
    *,
    now: datetime,
    mapped_lengths: Mapping[str, int | None] | None = None,
    past: Mapping[str, PastState] | None = None,
) -> RunPlan:
    """Decide the next steps of one running DAG run."""
    plan = RunPlan()
    current = _RunState(tis)
    if _timed_out(dag, run, now):
        _time_out(plan, current, run)
        return plan
    _remove_vanished_tasks(plan, current, dag, run)
    _add_missing_tasks(plan, current, dag)
    for task in topological_order(dag):
        _plan_task(plan, current, dag, task, run, now, mapped_lengths or {}, past or {})
    _decide_run_state(plan, current, dag)
    return plan


def _timed_out(dag: SerializedDag, run: RunRecord, now: datetime) -> bool:
    if not dag.dagrun_timeout or run.start_date is None:
        return False
    return now > run.start_date + timedelta(seconds=dag.dagrun_timeout)


def _time_out(plan: RunPlan, current: _RunState, run: RunRecord) -> None:
    """Airflow's rule: the run fails and its unfinished tasks are skipped (running ones stop)."""
    for task_id, by_index in current.by_task.items():
        for map_index, ti in by_index.items():
            if ti.state not in FINISHED:
                plan.changes.append(_change(ti, TaskState.SKIPPED))
                current.state[(task_id, map_index)] = TaskState.SKIPPED
    plan.run_state = RunState.FAILED
    plan.reason = "timed out (dagrun_timeout)"


def _remove_vanished_tasks(plan: RunPlan, current: _RunState, dag: SerializedDag, run: RunRecord) -> None:
    for task_id, by_index in current.by_task.items():
        if task_id in dag.tasks:
            continue
        for map_index, ti in by_index.items():
            if ti.state in (None, TaskState.SCHEDULED, TaskState.UP_FOR_RETRY, TaskState.UP_FOR_RESCHEDULE):
                plan.changes.append(_change(ti, TaskState.REMOVED))
                current.state[(task_id, map_index)] = TaskState.REMOVED


def _add_missing_tasks(plan: RunPlan, current: _RunState, dag: SerializedDag) -> None:
    for task_id in dag.tasks:
        if task_id not in current.by_task:
            plan.new_tis.append(NewTi(task_id, -1))
            current.by_task[task_id] = {}
            current.state[(task_id, -1)] = None


def _plan_task(
    plan: RunPlan,
    current: _RunState,
    dag: SerializedDag,
    task: SerializedTask,
    run: RunRecord,
    now: datetime,
    mapped_lengths: Mapping[str, int | None],
    past: Mapping[str, PastState],
) -> None:
    instances = current.by_task.get(task.task_id, {})
    if not instances:
        # Created by this plan (task added to the DAG): decided on the next look.
        return
    for map_index, ti in sorted(instances.items()):
        state = current.state[(task.task_id, map_index)]
        if state in _RETRYING:
            _plan_retry(plan, current, task, ti, now)
        elif state is None:
            decision = _decide(dag, task, current, map_index, past.get(task.task_id))
            if decision == Decision.RUN and task.is_mapped and map_index == -1:
                length = mapped_lengths.get(task.task_id)
                starts = _group_starts(dag, task, current, length, past.get(task.task_id))
                _expand(plan, current, task, ti, length, starts)
            elif decision != Decision.WAIT:
                to = _run_state_for(task) if decision == Decision.RUN else decision.state
                plan.changes.append(_change(ti, to))
                current.state[(task.task_id, map_index)] = to


def _run_state_for(task: SerializedTask) -> TaskState:
    """Scheduled, except an EmptyOperator with nothing to call succeeds without running (as
    Airflow), and a ``start_from_trigger`` task defers straight away: the scheduler writes its
    trigger and no worker runs until the trigger fires (Airflow's ``defer_task``)."""
    if task.extra.get("is_empty") and not (task.has_on_execute_callback or task.has_on_success_callback):
        return TaskState.SUCCESS
    if task.start_trigger is not None:
        return TaskState.DEFERRED
    return TaskState.SCHEDULED


def _plan_retry(plan: RunPlan, current: _RunState, task: SerializedTask, ti: TiRecord, now: datetime) -> None:
    if ti.next_try_at is None or ti.next_try_at <= now:
        # A start_from_trigger task's retry (or reschedule) starts from its trigger again.
        to = TaskState.DEFERRED if task.start_trigger is not None else TaskState.SCHEDULED
        plan.changes.append(_change(ti, to))
        current.state[(ti.task_id, ti.map_index)] = to
    elif plan.wake_at is None or ti.next_try_at < plan.wake_at:
        plan.wake_at = ti.next_try_at


def _decide(
    dag: SerializedDag, task: SerializedTask, current: _RunState, map_index: int, past: PastState | None
) -> Decision:
    upstream_states: list[TaskState | None] = []
    setup_states: list[TaskState | None] = []
    for up in task.upstream:
        if _same_mapped_group(dag, task, up):
            if map_index < 0:
                # Expanded once every instance of it is done; each index is then decided alone.
                if any(s not in FINISHED for s in current.states_of(up)):
                    return Decision.WAIT
                continue
            states = current.states_at(up, map_index)
        else:
            states = current.states_of(up)
        upstream_states.extend(states)
        if up in dag.tasks and dag.tasks[up].is_setup:
            setup_states.extend(states)
    decision = evaluate(
        task.trigger_rule, UpstreamCounts.of(upstream_states, setup_states), map_index=map_index
    )
    if decision == Decision.RUN and not _past_allows(task, map_index, past):
        return Decision.WAIT
    return decision


def _past_allows(task: SerializedTask, map_index: int, past: PastState | None) -> bool:
    if not (task.depends_on_past or task.wait_for_downstream):
        return True
    if past is None or not past.has_previous_run:
        return True
    if map_index not in past.states:
        return task.ignore_first_depends_on_past
    if past.states[map_index] not in (TaskState.SUCCESS, TaskState.SKIPPED):
        return False
    return past.downstream_done if task.wait_for_downstream else True


def _group_starts(
    dag: SerializedDag, task: SerializedTask, current: _RunState, length: int | None, past: PastState | None
) -> list[TaskState] | None:
    """The state each index of a task of a mapped task group starts in, decided against the
    same index of its group neighbours; None to wait (or for a task outside mapped groups)."""
    if length is None or task.mapped is None or task.mapped.group is None:
        return None
    starts: list[TaskState] = []
    for index in range(length):
        decision = _decide(dag, task, current, index, past)
        state = _run_state_for(task) if decision == Decision.RUN else decision.state
        if state is None:  # WAIT, the one decision without a state
            return None
        starts.append(state)
    return starts


def _expand(
    plan: RunPlan,
    current: _RunState,
    task: SerializedTask,
    placeholder: TiRecord,
    length: int | None,
    starts: list[TaskState] | None = None,
) -> None:
    """Turn the placeholder into map index 0 and add 1..n-1 (Airflow's expansion); each
    starts scheduled, or in the state ``starts`` gives for its index."""
    if length is None or (task.mapped is not None and task.mapped.group is not None and starts is None):
        return
    if length == 0:
        plan.changes.append(_change(placeholder, TaskState.SKIPPED))
        current.state[(task.task_id, -1)] = TaskState.SKIPPED
        return
    states = starts or [TaskState.SCHEDULED] * length
    plan.changes.append(_change(placeholder, states[0], map_index=0))
    del current.by_task[task.task_id][-1]
    del current.state[(task.task_id, -1)]
    current.by_task[task.task_id][0] = placeholder
    current.state[(task.task_id, 0)] = states[0]
    for index in range(1, length):
        plan.new_tis.append(NewTi(task.task_id, index, states[index]))
        current.state[(task.task_id, index)] = states[index]
        current.by_task[task.task_id][index] = placeholder


def _decide_run_state(plan: RunPlan, current: _RunState, dag: SerializedDag) -> None:
    states = current.state
    if any(s not in FINISHED for s in states.values()):
        if not plan.changes and not plan.new_tis and _is_deadlocked(current, dag):
            plan.run_state = RunState.FAILED
            plan.reason = "deadlocked: no task can run any more"
        return
    leaves = {t.task_id for t in dag.tasks.values() if not t.downstream and not t.is_teardown}
    if not leaves:
        leaves = {t.task_id for t in dag.tasks.values() if not t.downstream}
    leaf_states = [s for (task_id, _), s in states.items() if task_id in leaves and s != TaskState.REMOVED]
    if any(s in FAILED_STATES for s in leaf_states):
        plan.run_state = RunState.FAILED
        plan.reason = "a leaf task failed"
    else:
        plan.run_state = RunState.SUCCESS


def _is_deadlocked(current: _RunState, dag: SerializedDag) -> bool:
    """Unfinished tasks remain, none is in flight, and none can ever start."""
    if any(s in _IN_FLIGHT for s in current.state.values()):
        return False
    waiting = [task_id for (task_id, _), s in current.state.items() if s is None]
    # A task waiting on the previous run (or a concurrency limit) is not stuck for good.
    return bool(waiting) and not any(
        dag.tasks[t].depends_on_past or dag.tasks[t].wait_for_downstream for t in waiting if t in dag.tasks
    )


def _change(ti: TiRecord, to: TaskState | None, **fields: Any) -> TiChange:
    return TiChange(ti_id=ti.id, key=ti.key, frm=ti.state, to=to, fields=fields)


__all__ = [
    "NewTi",
    "PastState",
    "RunPlan",
    "TiChange",
    "initial_task_instances",
    "plan_run",
    "topological_order",
]
