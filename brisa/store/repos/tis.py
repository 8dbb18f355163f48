"""Task instances and the history of their tries."""

from __future__ import annotations

import builtins  # in annotations after the repo's list() method, `list` names that method
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from brisa.errors import NotFoundError
from brisa.states import ACTIVE, FINISHED, TaskState
from brisa.store import schema as s
from brisa.store.records import Page, TaskKey, TiRecord, TryRecord
from brisa.store.repos._common import (
    counted_page,
    order_by_clause,
    sort_clauses,
    state_in,
    str_or_none,
    ti_key_clause,
    within,
)

_TI_ORDER = (
    "id",
    "task_id",
    "map_index",
    "state",
    "start_date",
    "end_date",
    "duration",
    "try_number",
    "priority_weight",
    "queued_dttm",
    "run_id",
    "dag_id",
    "pool",
    "queue",
    "operator",
)


def _key_clause(key: TaskKey) -> sa.ColumnElement[bool]:
    return ti_key_clause(s.task_instance, key)


@functools.cache
def _cas_statement(expected: frozenset[str | None], fields: tuple[str, ...], with_try: bool) -> sa.Update:
    """The compare-and-set UPDATE for one shape of call, built once.

    Building a SQLAlchemy statement and its cache key costs more than running it on
    SQLite; the scheduler and supervisors issue this one per state change.
    """
    c = s.task_instance.c
    query = s.task_instance.update().where(_bound_key_clause(), state_in(c.state, expected))
    if with_try:
        query = query.where(c.try_number == sa.bindparam("k_try_number"))
    return query.values(state=sa.bindparam("v_state"), **{f: sa.bindparam(f"v_{f}") for f in fields})


@functools.cache
def _get_statement() -> sa.Select:
    return sa.select(s.task_instance).where(_bound_key_clause())


def _bound_key_clause() -> sa.ColumnElement[bool]:
    """A task instance's key as bound parameters, filled by :func:`_key_params`."""
    c = s.task_instance.c
    return sa.and_(
        c.dag_id == sa.bindparam("k_dag_id"),
        c.run_id == sa.bindparam("k_run_id"),
        c.task_id == sa.bindparam("k_task_id"),
        c.map_index == sa.bindparam("k_map_index"),
    )


def _key_params(key: TaskKey) -> dict[str, Any]:
    return {
        "k_dag_id": key.dag_id,
        "k_run_id": key.run_id,
        "k_task_id": key.task_id,
        "k_map_index": key.map_index,
    }


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    if "rendered_fields" in fields and fields["rendered_fields"] is not None:
        fields["rendered_fields"] = json.dumps(fields["rendered_fields"], default=str)
    if "state" in fields:
        raise ValueError("use brisa.states.advance_ti to change a task instance's state")
    return fields


class TiRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    # -- creating ----------------------------------------------------------------
    def create_many(self, rows: Sequence[dict[str, Any]], *, now: datetime) -> None:
        """Insert task instances; each row needs dag_id, run_id, task_id (map_index, state...)."""
        if rows:
            self.conn.execute(
                s.task_instance.insert(),
                [
                    {"map_index": -1, "updated_at": now, **r, "state": str_or_none(r.get("state"))}
                    for r in rows
                ],
            )

    # -- reading -------------------------------------------------------------------
    def get(self, key: TaskKey) -> TiRecord | None:
        row = self.conn.execute(_get_statement(), _key_params(key)).first()
        return TiRecord.from_row(row) if row else None

    def require(self, key: TaskKey) -> TiRecord:
        ti = self.get(key)
        if ti is None:
            raise NotFoundError(f"task instance {key} not found")
        return ti

    def for_run(
        self, dag_id: str, run_id: str, *, states: Iterable[TaskState | str | None] | None = None
    ) -> list[TiRecord]:
        """The run's task instances in creation order; only those in ``states`` (None
        there meaning no state yet) when given."""
        c = s.task_instance.c
        query = sa.select(s.task_instance).where(c.dag_id == dag_id, c.run_id == run_id)
        if states is not None:
            query = query.where(state_in(c.state, states))
        return [TiRecord.from_row(r) for r in self.conn.execute(query.order_by(c.id))]

    def count_unfinished(self, dag_id: str, run_id: str) -> int:
        """Task instances of the run not in a terminal state."""
        c = s.task_instance.c
        finished = [x.value for x in FINISHED]
        return self.conn.execute(
            sa.select(sa.func.count())
            .select_from(s.task_instance)
            .where(
                c.dag_id == dag_id, c.run_id == run_id, sa.or_(c.state.is_(None), c.state.not_in(finished))
            )
        ).scalar_one()

    def for_runs(self, dag_id: str, run_ids: Sequence[str]) -> list[TiRecord]:
        if not run_ids:
            return []
        rows = self.conn.execute(
            sa.select(s.task_instance).where(
                s.task_instance.c.dag_id == dag_id, s.task_instance.c.run_id.in_(list(run_ids))
            )
        )
        return [TiRecord.from_row(r) for r in rows]

    def in_states(
        self,
        states: Iterable[TaskState | None],
        *,
        dag_id: str | None = None,
        limit: int | None = None,
    ) -> list[TiRecord]:
        query = sa.select(s.task_instance).where(state_in(s.task_instance.c.state, states))
        if dag_id is not None:
            query = query.where(s.task_instance.c.dag_id == dag_id)
        if limit is not None:
            query = query.limit(limit)
        return [TiRecord.from_row(r) for r in self.conn.execute(query)]

    def schedulable(self, *, limit: int, lock: bool = False) -> list[TiRecord]:
        """Scheduled tries, most important first: the queue the scheduler picks from."""
        c = s.task_instance.c
        query = (
            sa.select(s.task_instance)
            .where(c.state == TaskState.SCHEDULED.value)
            .order_by(c.priority_weight.desc(), c.updated_at, c.id)
            .limit(limit)
        )
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [TiRecord.from_row(r) for r in self.conn.execute(query)]

    def due_for_retry(self, now: datetime, *, limit: int = 500) -> list[TiRecord]:
        c = s.task_instance.c
        query = (
            sa.select(s.task_instance)
            .where(
                c.state.in_([TaskState.UP_FOR_RETRY.value, TaskState.UP_FOR_RESCHEDULE.value]),
                sa.or_(c.next_try_at.is_(None), c.next_try_at <= now),
            )
            .limit(limit)
        )
        return [TiRecord.from_row(r) for r in self.conn.execute(query)]

    def active_counts(self) -> ActiveCounts:
        """Slots held by queued and running tries, by DAG, pool, task and run-task."""
        c = s.task_instance.c
        rows = self.conn.execute(
            sa.select(c.dag_id, c.run_id, c.task_id, c.pool, c.pool_slots).where(
                c.state.in_([x.value for x in ACTIVE])
            )
        ).all()
        return ActiveCounts.from_rows(rows)

    def list(
        self,
        *,
        dag_id: str | None = None,
        run_id: str | None = None,
        task_id: str | None = None,
        map_index: int | None = None,
        states: Iterable[TaskState | None] | None = None,
        pools: Iterable[str] | None = None,
        queues: Iterable[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        order_by: str = "id",
    ) -> Page[TiRecord]:
        c = s.task_instance.c
        query = sa.select(s.task_instance)
        for column, value in (
            (c.dag_id, dag_id),
            (c.run_id, run_id),
            (c.task_id, task_id),
            (c.map_index, map_index),
        ):
            if value is not None:
                query = query.where(column == value)
        if states is not None:
            query = query.where(state_in(c.state, states))
        if pools is not None:
            query = query.where(c.pool.in_(list(pools)))
        if queues is not None:
            query = query.where(c.queue.in_(list(queues)))
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        query = query.order_by(*order_by_clause(s.task_instance, order_by, _TI_ORDER), c.id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return Page([TiRecord.from_row(r) for r in self.conn.execute(query)], total)

    def search(
        self,
        *,
        dag_id: str | None = None,
        run_id: str | None = None,
        task_id: str | None = None,
        map_index: int | None = None,
        mapped_only: bool = False,
        states: Sequence[str | TaskState | None] | None = None,
        dag_ids: Sequence[str] = (),
        run_ids: Sequence[str] = (),
        task_ids: Sequence[str] = (),
        pools: Sequence[str] = (),
        queues: Sequence[str] = (),
        operators: Sequence[str] = (),
        try_numbers: Sequence[int] = (),
        executors: Sequence[str] = (),
        task_id_like: str | None = None,
        bounds: Mapping[str, Any] | None = None,
        order: Sequence[tuple[str, bool]] = (("map_index", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[TiRecord]:
        """The REST API's task instance listing, joined to the runs for their dates.

        ``bounds`` keys: ``start_date``, ``end_date``, ``updated_at``, ``duration`` (of
        the try) and ``run_after``, ``logical_date`` (of the run); values have
        ``gte``/``gt``/``lte``/``lt`` attributes. Empty sequences are no filter.
        Task instances record no executor (each runs on the configured one, which the
        API reports as null, as Airflow does for a task that names none), so a
        non-empty ``executors`` matches none.
        """
        ti, run = s.task_instance, s.dag_run
        columns = _ti_sort_columns()
        query = sa.select(ti)
        # A run's task instances go with it, so the join only matters when a run's column
        # filters or orders: without it, counting the total reads one index, not two tables.
        if ({name for name, _ in order} | set(bounds or {})) & _RUN_COLUMNS:
            query = query.join(run, sa.and_(run.c.dag_id == ti.c.dag_id, run.c.run_id == ti.c.run_id))
        for column, value in ((ti.c.dag_id, dag_id), (ti.c.run_id, run_id), (ti.c.task_id, task_id)):
            if value is not None:
                query = query.where(column == value)
        if map_index is not None:
            query = query.where(ti.c.map_index == map_index)
        if mapped_only:
            query = query.where(ti.c.map_index >= 0)
        if states:
            query = query.where(state_in(ti.c.state, states))
        for column, values in (
            (ti.c.dag_id, dag_ids),
            (ti.c.run_id, run_ids),
            (ti.c.task_id, task_ids),
            (ti.c.pool, pools),
            (ti.c.queue, queues),
            (ti.c.operator, operators),
            (ti.c.try_number, try_numbers),
        ):
            if values:
                query = query.where(column.in_(list(values)))
        if executors:
            query = query.where(sa.false())
        if task_id_like:
            query = query.where(ti.c.task_id.ilike(task_id_like))
        for name, value in (bounds or {}).items():
            query = within(query, columns[name], value)
        query = query.order_by(*sort_clauses(columns, order, ti.c.id))
        rows, total = counted_page(self.conn, query, limit, offset)
        return Page([TiRecord.from_row(r) for r in rows], total)

    def pool_usage(self) -> dict[str, dict[str, int]]:
        """Slots per pool of scheduled, queued, running and deferred tries: ``{pool: {state: slots}}``
        (deferred ones hold none: Airflow shows them as ``deferred_slots``)."""
        c = s.task_instance.c
        busy = [
            TaskState.SCHEDULED.value,
            TaskState.QUEUED.value,
            TaskState.RUNNING.value,
            TaskState.DEFERRED.value,
        ]
        rows = self.conn.execute(
            sa.select(c.pool, c.state, sa.func.sum(c.pool_slots))
            .where(c.state.in_(busy))
            .group_by(c.pool, c.state)
        )
        usage: dict[str, dict[str, int]] = {}
        for pool, state, slots in rows:
            usage.setdefault(pool, {})[state] = int(slots or 0)
        return usage

    def states_for_dates(
        self, dag_id: str, logical_dates: Sequence[datetime], task_ids: Sequence[str] | None
    ) -> builtins.list[str | None]:
        """States of the given tasks (or of the runs, when ``task_ids`` is None) at those dates."""
        if task_ids is None:
            return list(
                self.conn.execute(
                    sa.select(s.dag_run.c.state).where(
                        s.dag_run.c.dag_id == dag_id, s.dag_run.c.logical_date.in_(list(logical_dates))
                    )
                ).scalars()
            )
        ti, run = s.task_instance, s.dag_run
        rows = self.conn.execute(
            sa.select(ti.c.state)
            .join(run, sa.and_(run.c.dag_id == ti.c.dag_id, run.c.run_id == ti.c.run_id))
            .where(
                ti.c.dag_id == dag_id,
                ti.c.task_id.in_(list(task_ids)),
                run.c.logical_date.in_(list(logical_dates)),
            )
        )
        return list(rows.scalars())

    # -- writing -------------------------------------------------------------------
    def compare_and_set(
        self,
        key: TaskKey,
        expected: Iterable[TaskState | None],
        to: TaskState | None,
        *,
        try_number_is: int | None = None,
        **fields: Any,
    ) -> bool:
        fields = _encode(fields)
        expected_values = frozenset(str_or_none(state) for state in expected)
        statement = _cas_statement(expected_values, tuple(sorted(fields)), try_number_is is not None)
        params = {**_key_params(key), "v_state": str_or_none(to), **{f"v_{k}": v for k, v in fields.items()}}
        if try_number_is is not None:
            params["k_try_number"] = try_number_is
        return self.conn.execute(statement, params).rowcount == 1

    def compare_and_set_ids(
        self, ids: Sequence[int], expected: Iterable[TaskState | None], to: TaskState | None, **fields: Any
    ) -> int:
        """The same for many rows at once (used when a plan moves many tasks together)."""
        if not ids:
            return 0
        result = self.conn.execute(
            s.task_instance.update()
            .where(s.task_instance.c.id.in_(list(ids)), state_in(s.task_instance.c.state, expected))
            .values(state=str_or_none(to), **_encode(fields))
        )
        return result.rowcount

    def update_fields(self, key: TaskKey, **fields: Any) -> bool:
        """Change non-state fields (rendered fields, note, heartbeat)."""
        result = self.conn.execute(s.task_instance.update().where(_key_clause(key)).values(**_encode(fields)))
        return result.rowcount == 1

    def heartbeat(self, keys: Sequence[tuple[TaskKey, int]], now: datetime) -> builtins.list[TaskKey]:
        """Record that these tries still run; returns those no longer running with that try.

        A try whose row moved on (cleared, marked, timed out by the run) is one the
        supervisor must stop.
        """
        c = s.task_instance.c
        gone: list[TaskKey] = []
        for key, try_number in keys:
            updated = self.conn.execute(
                s.task_instance.update()
                .where(_key_clause(key), c.state == TaskState.RUNNING.value, c.try_number == try_number)
                .values(last_heartbeat_at=now)
            ).rowcount
            if not updated:
                gone.append(key)
        return gone

    def delete_ids(self, ids: Sequence[int]) -> None:
        if ids:
            self.conn.execute(s.task_instance.delete().where(s.task_instance.c.id.in_(list(ids))))

    # -- tries ---------------------------------------------------------------------
    def archive_try(self, ti: TiRecord, *, state: TaskState | None, end_date: datetime | None) -> None:
        """Keep the finished try in the history table (Airflow's task_instance_history)."""
        if ti.try_number < 1:
            return
        self.conn.execute(
            s.task_try.delete().where(ti_key_clause(s.task_try, ti), s.task_try.c.try_number == ti.try_number)
        )
        duration = (end_date - ti.start_date).total_seconds() if end_date and ti.start_date else None
        self.conn.execute(
            s.task_try.insert().values(
                dag_id=ti.dag_id,
                run_id=ti.run_id,
                task_id=ti.task_id,
                map_index=ti.map_index,
                try_number=ti.try_number,
                state=str_or_none(state),
                start_date=ti.start_date,
                end_date=end_date,
                duration=duration,
                hostname=ti.hostname,
                pid=ti.pid,
                operator=ti.operator,
                pool=ti.pool,
                queue=ti.queue,
                priority_weight=ti.priority_weight,
                max_tries=ti.max_tries,
                rendered_fields=json.dumps(ti.rendered_fields, default=str) if ti.rendered_fields else None,
            )
        )

    def tries(self, key: TaskKey) -> builtins.list[TryRecord]:
        query = sa.select(s.task_try).where(ti_key_clause(s.task_try, key)).order_by(s.task_try.c.try_number)
        return [TryRecord.from_row(r) for r in self.conn.execute(query)]


_RUN_COLUMNS = frozenset({"logical_date", "run_after", "data_interval_start", "data_interval_end"})
"""The columns :func:`_ti_sort_columns` takes from the run."""


def _ti_sort_columns() -> dict[str, sa.ColumnElement[Any]]:
    ti, run = s.task_instance.c, s.dag_run.c
    columns: dict[str, sa.ColumnElement[Any]] = {
        name: ti[name]
        for name in ("id", "state", "duration", "start_date", "end_date", "map_index", "try_number")
    }
    columns.update(operator=ti.operator, updated_at=ti.updated_at, task_id=ti.task_id)
    columns.update(
        logical_date=run.logical_date,
        run_after=run.run_after,
        data_interval_start=run.data_interval_start,
        data_interval_end=run.data_interval_end,
    )
    return columns


class ActiveCounts:
    """How many slots queued and running tries hold, counted the ways limits are set."""

    def __init__(self) -> None:
        self.total = 0
        self.by_dag: dict[str, int] = {}
        self.by_pool: dict[str, int] = {}
        self.by_task: dict[tuple[str, str], int] = {}
        self.by_run_task: dict[tuple[str, str, str], int] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> ActiveCounts:
        counts = cls()
        for row in rows:
            counts.add(row.dag_id, row.run_id, row.task_id, row.pool, row.pool_slots)
        return counts

    def add(self, dag_id: str, run_id: str, task_id: str, pool: str, pool_slots: int) -> None:
        self.total += 1
        self.by_dag[dag_id] = self.by_dag.get(dag_id, 0) + 1
        self.by_pool[pool] = self.by_pool.get(pool, 0) + pool_slots
        self.by_task[(dag_id, task_id)] = self.by_task.get((dag_id, task_id), 0) + 1
        self.by_run_task[(dag_id, run_id, task_id)] = self.by_run_task.get((dag_id, run_id, task_id), 0) + 1
