"""Deleting old history: ``brisa db clean`` and ``[database_retention] keep_days``.

What goes, for a cutoff time:

* **finished runs** (success or failed) that ended before the cutoff (their end date,
  else their start, else when they were due), with everything hanging off them: task
  instances (and their rendered fields), archived tries, task logs and XComs;
* **audit log** entries (Airflow's ``log`` table) written before the cutoff;
* **job rows** of processes that stopped (any state but ``running``) and last
  heartbeated before the cutoff;
* **asset events** (Airflow's ``asset_event``, 2.x's ``dataset_event``) recorded before the
  cutoff, except those a consumer DAG still waits on (its queue row for the asset is
  older than the event): the consumer's run reads them as its triggering events when it is
  created. Airflow deletes them by age alone; keeping them is on purpose;
* **asset queue rows** (``asset_dag_run_queue``) older than the cutoff whose DAG no longer
  schedules on the asset (the DAG was deleted or its schedule changed): no run can take them;
* **trigger rows** created before the cutoff that no task instance (nor any other row with a
  ``trigger_id``) points at any more: their deferred try was cleared, finished or deleted.
  Airflow's ``trigger`` entry deletes old triggers with their task instances; Brisa never
  deletes a deferred task's trigger.

``tables`` narrows a clean to some of these, by Airflow's table names (:data:`CHOICES`);
naming any table of a run (``dag_run``, ``task_instance``, ``xcom``...) cleans whole runs,
since a run's rows always go together.

What stays, whatever its age:

* queued and running runs, and everything of theirs;
* the newest scheduled or backfill run of each DAG: the scheduler carries the timetable
  on from it, so deleting it would make a ``catchup=True`` DAG create its old runs
  again (Airflow's ``db clean`` keeps it for the same reason);
* DAGs, serialized DAGs, import errors, users, variables, connections, pools.

Runs go in batches, one transaction each, so a big first clean never holds long locks.
On PostgreSQL a batch takes its runs with ``FOR UPDATE SKIP LOCKED`` (a run a scheduler
or a user is changing right now waits for the next pass) and every transaction of a
clean first takes an advisory lock, giving up if another process holds it: two
schedulers on one database (Heroku's preboot) never delete the same rows at once.

:class:`RetentionHook` is the automatic version: the scheduler calls it from its tick
and it cleans at most once per interval (an hour), deleting what is older than
``keep_days``; a pass stops after ``max_runs_per_pass`` runs and the rest goes a minute
later, so scheduling never stalls for long behind a large first clean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from brisa.errors import BrisaError
from brisa.states import RunState, TaskState
from brisa.store import schema as s
from brisa.store.repos.runs import AUTOMATED_RUN_TYPES
from brisa.store.sql import Store, Transaction
from brisa.store.types import UtcDateTime

log = logging.getLogger(__name__)

RUN_TABLES: tuple[sa.Table, ...] = (
    s.dag_run,
    s.task_instance,
    s.task_try,
    s.task_log,
    s.xcom,
    s.task_state,
)
"""The tables a finished run's rows live in, in the order the report lists them."""

TABLES: tuple[str, ...] = (
    *(table.name for table in RUN_TABLES),
    s.audit_log.name,
    s.job.name,
    s.asset_event.name,
    s.asset_dag_run_queue.name,
    s.trigger.name,
)
"""Every table ``clean`` deletes from, in report order."""

CHOICES: dict[str, str] = {
    **{table.name: s.dag_run.name for table in RUN_TABLES},
    "task_state_store": s.dag_run.name,
    s.audit_log.name: s.audit_log.name,
    s.job.name: s.job.name,
    s.asset_event.name: s.asset_event.name,
    "dataset_event": s.asset_event.name,
    s.asset_dag_run_queue.name: s.asset_dag_run_queue.name,
    s.trigger.name: s.trigger.name,
}
"""``--tables`` names (Airflow's, 2.x's ``dataset_event`` included) -> the group they clean."""

_FINISHED = (RunState.SUCCESS.value, RunState.FAILED.value)
_CHILD_TABLES = RUN_TABLES[1:]
_ADVISORY_LOCK_KEY = 0x6272_6973_6163_6C6E  # "brisacln": one cleaner per database at a time
_ROWS_PER_DELETE = 5000


@dataclass
class CleanReport:
    """Rows deleted (or, in a dry run, that would be) per table."""

    cutoff: datetime
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    complete: bool = True
    """False when the pass stopped at ``max_runs`` with old runs left."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, table: str, rows: int) -> None:
        self.counts[table] += rows


def clean(
    store: Store,
    *,
    cutoff: datetime,
    dry_run: bool = False,
    batch_size: int = 200,
    max_runs: int | None = None,
    tables: Collection[str] | None = None,
) -> CleanReport:
    """Delete (or count, with ``dry_run``) what is older than ``cutoff``; see the module docstring.

    ``tables`` (names from :data:`CHOICES`) limits the clean to those groups; None cleans all.
    """
    if cutoff.tzinfo is None:
        raise ValueError("cutoff must be an aware datetime")
    groups = set(TABLES) if tables is None else {CHOICES[name] for name in tables}
    report = CleanReport(cutoff=cutoff, dry_run=dry_run)
    if s.dag_run.name in groups:
        report.complete = _clean_runs(store, report, batch_size=batch_size, max_runs=max_runs)
    if s.audit_log.name in groups:
        _clean_table(store, report, s.audit_log, s.audit_log.c.dttm < cutoff)
    if s.job.name in groups:
        stopped = sa.and_(s.job.c.state != "running", s.job.c.latest_heartbeat < cutoff)
        _clean_table(store, report, s.job, stopped)
    if s.asset_dag_run_queue.name in groups:
        _clean_queue(store, report, cutoff)
    if s.asset_event.name in groups:
        _clean_table(store, report, s.asset_event, _unwaited_events(cutoff))
    if s.trigger.name in groups:
        _clean_table(store, report, s.trigger, _orphan_triggers(cutoff))
    return report


def unknown_tables(names: Iterable[str]) -> list[str]:
    """The names ``clean(tables=...)`` does not know, sorted."""
    return sorted(set(names) - set(CHOICES))


# -- runs -------------------------------------------------------------------------------------


def _clean_runs(store: Store, report: CleanReport, *, batch_size: int, max_runs: int | None) -> bool:
    """Old finished runs, batch by batch; False when ``max_runs`` stopped it early."""
    after = 0
    done = 0
    while max_runs is None or done < max_runs:
        limit = batch_size if max_runs is None else min(batch_size, max_runs - done)
        with store.transaction(readonly=report.dry_run) as tx:
            if not report.dry_run and not _take_cleaner_lock(tx):
                log.info("another process is cleaning the database; leaving it to that one")
                return True
            window_end = _window_end(tx, after=after, size=limit)
            batch = _old_runs(tx, report.cutoff, after=after, upto=window_end, lock=not report.dry_run)
            if batch:
                _handle_batch(tx, report, batch)
        if window_end is None:
            return True
        after = window_end
        done += len(batch)
    return False


def _window_end(tx: Transaction, *, after: int, size: int) -> int | None:
    """The id ``size`` runs on from ``after`` (None: fewer are left), walking the primary key.

    A batch looks at one such window of ids, whatever the planner would choose: a batch that
    read every run left (as a state index, or PostgreSQL's bitmap scan then sort by id, did)
    made a clean quadratic in the runs. A window holds kept runs too, so a batch may be short.
    """
    run = s.dag_run
    query = sa.select(run.c.id).where(run.c.id > after).order_by(run.c.id).offset(size - 1).limit(1)
    return tx.conn.execute(query).scalar()


def _take_cleaner_lock(tx: Transaction) -> bool:
    if tx.dialect != "postgresql":
        return True  # SQLite writers queue on the database lock already
    return bool(tx.conn.execute(sa.select(sa.func.pg_try_advisory_xact_lock(_ADVISORY_LOCK_KEY))).scalar())


def _old_runs(
    tx: Transaction, cutoff: datetime, *, after: int, upto: int | None, lock: bool
) -> list[tuple[int, str, str]]:
    """(id, dag_id, run_id) of the finished runs older than ``cutoff`` with ids in
    (``after``, ``upto``] (``upto`` None: no upper bound), by id."""
    run = s.dag_run
    newer = s.dag_run.alias("newer")
    # The DAG's newest automated logical date, read backwards on (dag_id, logical_date) from
    # the newest run. An ``EXISTS`` of a newer automated run was planned by PostgreSQL (with
    # statistics) as a scan from the oldest run up to this one, quadratic in the runs.
    newest_automated = (
        sa.select(newer.c.logical_date)
        .where(
            newer.c.dag_id == run.c.dag_id,
            newer.c.run_type.in_(AUTOMATED_RUN_TYPES),
            newer.c.logical_date.is_not(None),
        )
        .order_by(newer.c.logical_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    is_newest = sa.or_(run.c.logical_date.is_(None), run.c.logical_date >= newest_automated)
    keeps_the_timetable = sa.and_(run.c.run_type.in_(AUTOMATED_RUN_TYPES), is_newest)
    finished_at = sa.func.coalesce(run.c.end_date, run.c.start_date, run.c.run_after, type_=UtcDateTime)
    # ``state || ''`` keeps SQLite off the state index, through which it read every finished
    # run (checking each for a newer one) instead of the window's range of the primary key.
    finished = run.c.state.concat("").in_(_FINISHED)
    in_window = run.c.id > after if upto is None else run.c.id.between(after + 1, upto)
    query = (
        sa.select(run.c.id, run.c.dag_id, run.c.run_id)
        .where(in_window, finished, finished_at < cutoff, ~keeps_the_timetable)
        .order_by(run.c.id)
    )
    if lock:
        query = query.with_for_update(skip_locked=True, of=run)
    return [(row.id, row.dag_id, row.run_id) for row in tx.conn.execute(query)]


def _handle_batch(tx: Transaction, report: CleanReport, batch: list[tuple[int, str, str]]) -> None:
    by_dag: dict[str, list[str]] = {}
    for _, dag_id, run_id in batch:
        by_dag.setdefault(dag_id, []).append(run_id)
    for table in _CHILD_TABLES:
        for dag_id, run_ids in by_dag.items():
            where = sa.and_(table.c.dag_id == dag_id, table.c.run_id.in_(run_ids))
            report.add(table.name, _delete_or_count(tx, table, where, dry_run=report.dry_run))
    where = s.dag_run.c.id.in_([run_id for run_id, _, _ in batch])
    report.add(s.dag_run.name, _delete_or_count(tx, s.dag_run, where, dry_run=report.dry_run))


def _delete_or_count(
    tx: Transaction, table: sa.Table, where: sa.ColumnElement[bool], *, dry_run: bool
) -> int:
    if dry_run:
        return int(tx.conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one())
    return int(tx.conn.execute(table.delete().where(where)).rowcount)


# -- tables with their own timestamp ----------------------------------------------------------


def _clean_table(store: Store, report: CleanReport, table: sa.Table, where: sa.ColumnElement[bool]) -> None:
    """Delete ``where`` in chunks of ids, so one statement never holds a huge table's lock long."""
    if report.dry_run:
        with store.transaction(readonly=True) as tx:
            report.add(table.name, _delete_or_count(tx, table, where, dry_run=True))
        return
    while True:
        with store.transaction() as tx:
            if not _take_cleaner_lock(tx):
                return
            chunk = sa.select(table.c.id).where(where).order_by(table.c.id).limit(_ROWS_PER_DELETE)
            statement = table.delete().where(table.c.id.in_(chunk.scalar_subquery()))
            deleted = int(tx.conn.execute(statement).rowcount)
        report.add(table.name, deleted)
        if deleted < _ROWS_PER_DELETE:
            return


# -- assets and triggers -----------------------------------------------------------------------


def _unwaited_events(cutoff: datetime) -> sa.ColumnElement[bool]:
    """Events older than ``cutoff`` that no queued consumer will read as triggering events
    (a queue row a DAG no longer scheduled on the asset left behind holds nothing)."""
    event, queue = s.asset_event, s.asset_dag_run_queue
    waited_on = (
        sa.select(queue.c.asset_id)
        .where(
            queue.c.asset_id == event.c.asset_id,
            queue.c.created_at <= event.c.timestamp,
            _still_scheduled(),
        )
        .exists()
    )
    return sa.and_(event.c.timestamp < cutoff, ~waited_on)


def _still_scheduled() -> sa.ColumnElement[bool]:
    """A queue row's DAG schedules on its asset, directly or through an alias resolved to it."""
    queue = s.asset_dag_run_queue
    direct, by_alias = s.dag_schedule_asset_reference, s.dag_schedule_asset_alias_reference
    resolved = s.asset_alias_asset
    scheduled = (
        sa.select(direct.c.asset_id)
        .where(direct.c.asset_id == queue.c.asset_id, direct.c.dag_id == queue.c.target_dag_id)
        .exists()
    )
    through_alias = (
        sa.select(by_alias.c.alias_id)
        .join(resolved, resolved.c.alias_id == by_alias.c.alias_id)
        .where(resolved.c.asset_id == queue.c.asset_id, by_alias.c.dag_id == queue.c.target_dag_id)
        .exists()
    )
    return sa.or_(scheduled, through_alias)


def _stale_queue_rows(cutoff: datetime) -> sa.ColumnElement[bool]:
    """Queue rows older than ``cutoff`` whose DAG no longer schedules on the asset (the DAG is
    gone or its schedule changed): no run will ever take them."""
    return sa.and_(s.asset_dag_run_queue.c.created_at < cutoff, ~_still_scheduled())


def _clean_queue(store: Store, report: CleanReport, cutoff: datetime) -> None:
    """One statement: the queue holds one row per (asset, consumer), never many."""
    table = s.asset_dag_run_queue
    with store.transaction(readonly=report.dry_run) as tx:
        if not report.dry_run and not _take_cleaner_lock(tx):
            return
        report.add(table.name, _delete_or_count(tx, table, _stale_queue_rows(cutoff), dry_run=report.dry_run))


def _orphan_triggers(cutoff: datetime) -> sa.ColumnElement[bool]:
    """Triggers older than ``cutoff`` that no deferred try waits on (the triggerer's own
    ``delete_unused`` rule) and no other row with a ``trigger_id`` points at (an asset
    watcher's trigger has no task instance)."""
    ti = s.task_instance.c
    waited_on = (
        sa.select(ti.trigger_id)
        .where(ti.trigger_id == s.trigger.c.id, ti.state == TaskState.DEFERRED.value)
        .exists()
    )
    referenced = [
        sa.select(table.c.trigger_id).where(table.c.trigger_id == s.trigger.c.id).exists()
        for table in s.metadata.tables.values()
        if "trigger_id" in table.c and table is not s.trigger and table is not s.task_instance
    ]
    return sa.and_(s.trigger.c.created_date < cutoff, ~waited_on, *(~ref for ref in referenced))


# -- the automatic clean ----------------------------------------------------------------------


class RetentionHook:
    """Called with ``now`` from every scheduler tick; cleans at most once per ``interval``."""

    def __init__(
        self,
        store: Store,
        *,
        keep_days: int,
        interval: timedelta = timedelta(hours=1),
        backlog_interval: timedelta = timedelta(minutes=1),
        max_runs_per_pass: int = 2000,
        cleaner: Callable[..., CleanReport] = clean,
    ) -> None:
        if keep_days < 1:
            raise ValueError("keep_days must be at least 1 (0 turns the automatic clean off)")
        self.store = store
        self.keep = timedelta(days=keep_days)
        self.interval = interval
        self.backlog_interval = backlog_interval
        self.max_runs_per_pass = max_runs_per_pass
        self.cleaner = cleaner
        self.next_at: datetime | None = None
        self.last_report: CleanReport | None = None

    def __call__(self, now: datetime) -> None:
        if self.next_at is not None and now < self.next_at:
            return
        self.next_at = now + self.interval  # a failing clean waits a whole interval too
        try:
            report = self.cleaner(self.store, cutoff=now - self.keep, max_runs=self.max_runs_per_pass)
        except BrisaError as exc:
            log.warning("automatic database clean failed (%s); next try in %s", exc, self.interval)
            return
        self.last_report = report
        if not report.complete:
            self.next_at = now + self.backlog_interval
        if report.total:
            log.info("database retention: deleted %s", describe_counts(report.counts))


def describe_counts(counts: dict[str, int]) -> str:
    """``dag_run=3 task_instance=9 ...``: one log line, tables with nothing left out."""
    return " ".join(f"{table}={rows}" for table, rows in counts.items() if rows) or "nothing"


def retention_hook(settings: Any, store: Store) -> RetentionHook | None:
    """The hook ``[database_retention] keep_days`` asks for; None when it is 0 (off)."""
    keep_days = settings.database_retention.keep_days
    return RetentionHook(store, keep_days=keep_days) if keep_days > 0 else None


__all__ = [
    "CHOICES",
    "RUN_TABLES",
    "TABLES",
    "CleanReport",
    "RetentionHook",
    "clean",
    "describe_counts",
    "retention_hook",
    "unknown_tables",
]
