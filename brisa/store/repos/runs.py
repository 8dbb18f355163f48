"""DAG runs."""

from __future__ import annotations

import builtins  # in annotations after the repo's list() method, `list` names that method
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from brisa.errors import ConflictError, NotFoundError
from brisa.states import RunState
from brisa.store import schema as s
from brisa.store.changes import notify
from brisa.store.records import Page, RunRecord
from brisa.store.repos._common import counted_page, order_by_clause, sort_clauses, within

_RUN_ORDER = (
    "id",
    "run_id",
    "logical_date",
    "run_after",
    "start_date",
    "end_date",
    "state",
    "data_interval_start",
    "data_interval_end",
    "queued_at",
    "updated_at",
    "dag_id",
)
AUTOMATED_RUN_TYPES = ("scheduled", "backfill")


class RecentRun(NamedTuple):
    """A run as a list page shows it (:meth:`RunRepo.recent_states`)."""

    dag_id: str
    run_id: str
    state: RunState
    logical_date: datetime | None
    run_after: datetime


class RunRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def create(
        self,
        *,
        dag_id: str,
        run_id: str,
        run_type: str,
        logical_date: datetime | None,
        data_interval: tuple[datetime, datetime] | None,
        run_after: datetime,
        now: datetime,
        conf: dict[str, Any] | None = None,
        state: RunState = RunState.QUEUED,
        triggered_by: str | None = None,
        triggering_user: str | None = None,
        creating_job_id: int | None = None,
        dag_hash: str | None = None,
        note: str | None = None,
        backfill_id: int | None = None,
        partition_key: str | None = None,
        partition_date: datetime | None = None,
    ) -> RunRecord:
        """Insert a run; a run id or logical date already taken raises ConflictError."""
        if self._exists(dag_id, run_id, logical_date):
            raise ConflictError(
                f"DAG run {run_id!r} of DAG {dag_id!r}"
                + (f" (logical date {logical_date.isoformat()})" if logical_date else "")
                + " already exists"
            )
        start, end = data_interval or (None, None)
        self.conn.execute(
            s.dag_run.insert().values(
                dag_id=dag_id,
                run_id=run_id,
                run_type=run_type,
                state=str(state),
                logical_date=logical_date,
                data_interval_start=start,
                data_interval_end=end,
                run_after=run_after,
                queued_at=now,
                start_date=now if state == RunState.RUNNING else None,
                conf=json.dumps(conf or {}),
                triggered_by=triggered_by,
                triggering_user=triggering_user,
                creating_job_id=creating_job_id,
                dag_hash=dag_hash,
                note=note,
                updated_at=now,
                backfill_id=backfill_id,
                partition_key=partition_key,
                partition_date=partition_date,
            )
        )
        notify(self.conn)  # a scheduler in another process hears of it at commit
        return self.require(dag_id, run_id)

    def _exists(self, dag_id: str, run_id: str, logical_date: datetime | None) -> bool:
        clause = s.dag_run.c.run_id == run_id
        if logical_date is not None:
            clause = sa.or_(clause, s.dag_run.c.logical_date == logical_date)
        row = self.conn.execute(
            sa.select(s.dag_run.c.id).where(s.dag_run.c.dag_id == dag_id, clause).limit(1)
        ).first()
        return row is not None

    def get(self, dag_id: str, run_id: str) -> RunRecord | None:
        row = self.conn.execute(
            sa.select(s.dag_run).where(s.dag_run.c.dag_id == dag_id, s.dag_run.c.run_id == run_id)
        ).first()
        return RunRecord.from_row(row) if row else None

    def require(self, dag_id: str, run_id: str) -> RunRecord:
        run = self.get(dag_id, run_id)
        if run is None:
            raise NotFoundError(f"DAG run {run_id!r} of DAG {dag_id!r} not found")
        return run

    def by_logical_date(self, dag_id: str, logical_date: datetime) -> RunRecord | None:
        row = self.conn.execute(
            sa.select(s.dag_run).where(s.dag_run.c.dag_id == dag_id, s.dag_run.c.logical_date == logical_date)
        ).first()
        return RunRecord.from_row(row) if row else None

    def list(
        self,
        dag_id: str | None = None,
        *,
        dag_ids: Sequence[str] | None = None,
        states: Iterable[str] | None = None,
        run_types: Iterable[str] | None = None,
        logical_date_gte: datetime | None = None,
        logical_date_lte: datetime | None = None,
        start_date_gte: datetime | None = None,
        start_date_lte: datetime | None = None,
        end_date_gte: datetime | None = None,
        end_date_lte: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
        order_by: str = "-id",
    ) -> Page[RunRecord]:
        c = s.dag_run.c
        query = sa.select(s.dag_run)
        if dag_id is not None:
            query = query.where(c.dag_id == dag_id)
        if dag_ids is not None:
            query = query.where(c.dag_id.in_(list(dag_ids)))
        if states is not None:
            query = query.where(c.state.in_([str(x) for x in states]))
        if run_types is not None:
            query = query.where(c.run_type.in_(list(run_types)))
        for column, low, high in (
            (c.logical_date, logical_date_gte, logical_date_lte),
            (c.start_date, start_date_gte, start_date_lte),
            (c.end_date, end_date_gte, end_date_lte),
        ):
            if low is not None:
                query = query.where(column >= low)
            if high is not None:
                query = query.where(column <= high)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        query = query.order_by(*order_by_clause(s.dag_run, order_by, _RUN_ORDER), c.id.desc())
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return Page([RunRecord.from_row(r) for r in self.conn.execute(query)], total)

    def search(
        self,
        *,
        dag_id: str | None = None,
        dag_ids: Sequence[str] = (),
        states: Sequence[str] = (),
        run_types: Sequence[str] = (),
        bounds: Mapping[str, Any] | None = None,
        run_id_like: str | None = None,
        triggering_user_like: str | None = None,
        order: Sequence[tuple[str, bool]] = (("id", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[RunRecord]:
        """The REST API's run listing.

        ``bounds`` maps ``run_after``, ``logical_date``, ``start_date``, ``end_date`` or
        ``updated_at`` to an object with ``gte``/``gt``/``lte``/``lt`` attributes.
        """
        c = s.dag_run.c
        query = sa.select(s.dag_run)
        if dag_id is not None:
            query = query.where(c.dag_id == dag_id)
        if dag_ids:
            query = query.where(c.dag_id.in_(list(dag_ids)))
        if states:
            query = query.where(c.state.in_([str(x) for x in states]))
        if run_types:
            query = query.where(c.run_type.in_([str(x) for x in run_types]))
        if run_id_like:
            query = query.where(c.run_id.ilike(run_id_like))
        if triggering_user_like:
            query = query.where(c.triggering_user.ilike(triggering_user_like))
        for name, value in (bounds or {}).items():
            query = within(query, c[name], value)
        columns: dict[str, sa.ColumnElement[Any]] = {name: c[name] for name in (*_RUN_ORDER, "conf")}
        columns["duration"] = _duration(self.conn, c.start_date, c.end_date)
        query = query.order_by(*sort_clauses(columns, order, c.id))
        rows, total = counted_page(self.conn, query, limit, offset)
        return Page([RunRecord.from_row(r) for r in rows], total)

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], RunRecord]:
        """Runs by ``(dag_id, run_id)``; missing ones are left out."""
        wanted = set(keys)
        if not wanted:
            return {}
        c = s.dag_run.c
        query = sa.select(s.dag_run).where(
            c.dag_id.in_({d for d, _ in wanted}), c.run_id.in_({r for _, r in wanted})
        )
        runs = (RunRecord.from_row(row) for row in self.conn.execute(query))
        return {(r.dag_id, r.run_id): r for r in runs if (r.dag_id, r.run_id) in wanted}

    def unfinished(
        self,
        *,
        dag_id: str | None = None,
        limit: int | None = None,
        states: Iterable[RunState] = (RunState.QUEUED, RunState.RUNNING),
    ) -> builtins.list[RunRecord]:
        query = sa.select(s.dag_run).where(s.dag_run.c.state.in_([x.value for x in states]))
        if dag_id is not None:
            query = query.where(s.dag_run.c.dag_id == dag_id)
        query = query.order_by(s.dag_run.c.run_after, s.dag_run.c.id)
        if limit is not None:
            query = query.limit(limit)
        return [RunRecord.from_row(r) for r in self.conn.execute(query)]

    def count_by_state(self, dag_id: str) -> dict[str, int]:
        rows = self.conn.execute(
            sa.select(s.dag_run.c.state, sa.func.count())
            .where(s.dag_run.c.dag_id == dag_id)
            .group_by(s.dag_run.c.state)
        )
        return {state: n for state, n in rows}

    def count_by_dag_and_state(self, dag_ids: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
        """``{dag_id: {state: runs}}`` for the DAGs that have runs (all, or ``dag_ids``), by dag_id.

        One GROUP BY over the runs, joined to the DAG table so runs left by a deleted DAG
        are not counted; a DAG without runs is absent, as in Airflow's ``/dagStats``.
        """
        c = s.dag_run.c
        query = (
            sa.select(c.dag_id, c.state, sa.func.count().label("runs"))
            .join(s.dag, s.dag.c.dag_id == c.dag_id)
            .group_by(c.dag_id, c.state)
            .order_by(c.dag_id, c.state)
        )
        if dag_ids is not None:
            query = query.where(c.dag_id.in_(list(dag_ids)))
        counts: dict[str, dict[str, int]] = {}
        for dag_id, state, runs in self.conn.execute(query):
            counts.setdefault(dag_id, {})[state] = runs
        return counts

    def last_automated(self, dag_id: str) -> RunRecord | None:
        """The newest scheduled or backfill run: where the timetable carries on from."""
        row = self.conn.execute(
            sa.select(s.dag_run)
            .where(s.dag_run.c.dag_id == dag_id, s.dag_run.c.run_type.in_(AUTOMATED_RUN_TYPES))
            .order_by(s.dag_run.c.logical_date.desc())
            .limit(1)
        ).first()
        return RunRecord.from_row(row) if row else None

    def previous(
        self, dag_id: str, before: datetime, *, state: RunState | None = None, automated_only: bool = False
    ) -> RunRecord | None:
        """The run just before ``before`` by logical date (optionally in ``state``)."""
        query = sa.select(s.dag_run).where(s.dag_run.c.dag_id == dag_id, s.dag_run.c.logical_date < before)
        if state is not None:
            query = query.where(s.dag_run.c.state == state.value)
        if automated_only:
            query = query.where(s.dag_run.c.run_type.in_(AUTOMATED_RUN_TYPES))
        row = self.conn.execute(query.order_by(s.dag_run.c.logical_date.desc()).limit(1)).first()
        return RunRecord.from_row(row) if row else None

    def latest(self, dag_ids: Sequence[str], per_dag: int = 1) -> dict[str, builtins.list[RunRecord]]:
        """The newest ``per_dag`` runs of each DAG (by run_after), for list pages."""
        result: dict[str, list[RunRecord]] = {}
        for row in _newest_per_dag(self.conn, list(s.dag_run.c), dag_ids, per_dag):
            result.setdefault(row.dag_id, []).append(RunRecord.from_row(row))
        return result

    def recent_states(self, dag_ids: Sequence[str], per_dag: int = 1) -> dict[str, builtins.list[RecentRun]]:
        """The newest ``per_dag`` runs of each DAG (by run_after), newest first, in one query.

        What a list of DAGs shows of their runs (a coloured dot, a link), without the
        rest of the row: no conf to decode, a fifth of :meth:`latest`'s cost.
        """
        c = s.dag_run.c
        columns = [c.dag_id, c.run_id, c.state, c.logical_date, c.run_after]
        result: dict[str, list[RecentRun]] = {}
        for row in _newest_per_dag(self.conn, columns, dag_ids, per_dag):
            run = RecentRun(row.dag_id, row.run_id, RunState(row.state), row.logical_date, row.run_after)
            result.setdefault(row.dag_id, []).append(run)
        return result

    def compare_and_set(
        self,
        dag_id: str,
        run_id: str,
        expected: Iterable[RunState],
        to: RunState,
        **fields: Any,
    ) -> bool:
        if "conf" in fields:
            fields["conf"] = json.dumps(fields["conf"] or {})
        result = self.conn.execute(
            s.dag_run.update()
            .where(
                s.dag_run.c.dag_id == dag_id,
                s.dag_run.c.run_id == run_id,
                s.dag_run.c.state.in_([str(x) for x in expected]),
            )
            .values(state=to.value, **fields)
        )
        return result.rowcount == 1

    def update_fields(self, dag_id: str, run_id: str, **fields: Any) -> None:
        """Change non-state fields (note, conf); states go through ``advance_run``."""
        if "state" in fields:
            raise ValueError("use brisa.states.advance_run to change a run's state")
        if "conf" in fields:
            fields["conf"] = json.dumps(fields["conf"] or {})
        self.conn.execute(
            s.dag_run.update()
            .where(s.dag_run.c.dag_id == dag_id, s.dag_run.c.run_id == run_id)
            .values(**fields)
        )

    def lock(self, dag_id: str, run_id: str) -> bool:
        """Take the run's row lock (PostgreSQL); False when another scheduler holds it."""
        if self.conn.dialect.name != "postgresql":
            return True
        row = self.conn.execute(
            sa.select(s.dag_run.c.id)
            .where(s.dag_run.c.dag_id == dag_id, s.dag_run.c.run_id == run_id)
            .with_for_update(skip_locked=True)
        ).first()
        return row is not None

    def delete(self, dag_id: str, run_id: str) -> None:
        for table in (s.task_log, s.xcom, s.task_state, s.task_try, s.task_instance):
            self.conn.execute(table.delete().where(table.c.dag_id == dag_id, table.c.run_id == run_id))
        self.conn.execute(
            s.dag_run.delete().where(s.dag_run.c.dag_id == dag_id, s.dag_run.c.run_id == run_id)
        )


def _duration(conn: sa.Connection, start: Any, end: Any) -> sa.ColumnElement[Any]:
    """``end - start`` in a form both databases can sort (NULL while a run is unfinished)."""
    if conn.dialect.name == "sqlite":
        return sa.func.julianday(end) - sa.func.julianday(start)
    return end - start


_BRANCHES = 100
"""DAGs per statement (SQLite allows 500 SELECTs in one compound statement)."""


def _newest_per_dag(
    conn: sa.Connection, columns: Sequence[sa.ColumnElement[Any]], dag_ids: Sequence[str], per_dag: int
) -> builtins.list[Any]:
    """The newest ``per_dag`` runs of each DAG, newest first: one LIMITed branch per DAG
    read from the (dag_id, run_after) index, so the cost follows the page, not the history
    (ranking every run of the DAGs with a window function read all of them)."""
    c = s.dag_run.c
    wanted = list(dict.fromkeys(dag_ids))
    rows: list[Any] = []
    for start in range(0, len(wanted), _BRANCHES):
        branches = [
            sa.select(
                sa.select(*columns, c.id.label("newest_id"))
                .where(c.dag_id == dag_id)
                .order_by(c.run_after.desc(), c.id.desc())
                .limit(per_dag)
                .subquery()
            )
            for dag_id in wanted[start : start + _BRANCHES]
        ]
        query = branches[0] if len(branches) == 1 else sa.union_all(*branches)
        rows += conn.execute(query).all()
    # A UNION ALL keeps no order: newest first again, by DAG.
    return sorted(rows, key=lambda row: (row.dag_id, -row.run_after.timestamp(), -row.newest_id))
