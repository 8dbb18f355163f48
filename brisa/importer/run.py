"""One import: read each kind from the source, map it, write what Brisa does not have yet.

Everything is written in one transaction of Brisa's store, so a failure half-way (a value
the given Fernet keys cannot decrypt, a database error) leaves Brisa as it was. Rows are
matched on their natural keys (conn_id, variable key, pool name, username, dag_id, run
ids, task instance keys): a second import adds nothing twice, and a dry run counts what
the real one would write (it writes too, then rolls back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from brisa.auth.roles import Role
from brisa.importer import logs, mapping
from brisa.importer.source import SourceDb
from brisa.importer.versions import AirflowVersion
from brisa.store import schema as s
from brisa.store.records import TaskKey
from brisa.store.sql import Store, Transaction

KINDS = ("connections", "variables", "pools", "users", "dags", "runs", "task_instances", "xcoms", "logs")
DEFAULT_KINDS = KINDS[:-2]
"""XComs and logs only when asked for (``--xcoms``, ``--logs-folder``): there can be many, and large."""
BATCH = 500
Progress = Callable[[str, int, int], None]
"""``progress(kind, rows_done, rows_total)``, called as rows are read."""


@dataclass
class Tally:
    new: int = 0
    present: int = 0
    skipped: int = 0


@dataclass
class ImportReport:
    version: AirflowVersion
    dry_run: bool
    tallies: dict[str, Tally] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportOptions:
    kinds: tuple[str, ...] = DEFAULT_KINDS
    dry_run: bool = False
    simple_auth_users: Mapping[str, Role] = field(default_factory=dict)
    """Airflow 3 simple auth manager users (name -> role); their passwords below."""
    simple_auth_passwords: Mapping[str, str] = field(default_factory=dict)
    logs_folder: Path | None = None
    """Airflow's ``base_log_folder``, for the ``logs`` kind."""


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_airflow(
    source: SourceDb,
    store: Store,
    recrypt: mapping.Recrypt,
    options: ImportOptions,
    *,
    now: datetime,
    hash_password: Callable[[str], str],
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(version=source.version(), dry_run=options.dry_run)
    job = _Job(source, report, recrypt, options, now, hash_password, progress or _quiet)
    try:
        with store.transaction() as tx:
            for kind in KINDS:
                if kind in options.kinds:
                    report.tallies[kind] = getattr(job, kind)(tx)
            if options.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _quiet(_kind: str, _done: int, _total: int) -> None:
    pass


@dataclass
class _Job:
    source: SourceDb
    report: ImportReport
    recrypt: mapping.Recrypt
    options: ImportOptions
    now: datetime
    hash_password: Callable[[str], str]
    progress: Progress
    run_ids: dict[tuple[str, datetime | None], str] = field(default_factory=dict)
    imported_runs: set[tuple[str, str]] = field(default_factory=set)

    @property
    def family(self) -> str:
        return self.report.version.family

    def connections(self, tx: Transaction) -> Tally:
        rows = (mapping.connection(r, self.recrypt) for r in self._read("connections", "connection"))
        return _load(tx, s.connection, ("conn_id",), rows)

    def variables(self, tx: Transaction) -> Tally:
        rows = (mapping.variable(r, self.recrypt) for r in self._read("variables", "variable"))
        return _load(tx, s.variable, ("key",), rows)

    def pools(self, tx: Transaction) -> Tally:
        rows = (mapping.pool(r) for r in self._read("pools", "slot_pool"))
        return _load(tx, s.slot_pool, ("pool",), rows)

    def users(self, tx: Transaction) -> Tally:
        rows = [*self._fab_users(), *self._password_auth_users(), *self._simple_auth_users()]
        return _load(tx, s.user, ("username",), rows, key=lambda r: (mapping.user_key(r["username"]),))

    def _fab_users(self) -> Iterator[dict[str, Any]]:
        if not self.source.has("ab_user"):
            return
        roles = {r["id"]: r["name"] for r in self.source.rows("ab_role")}
        granted: dict[Any, list[str]] = {}
        for link in self.source.rows("ab_user_role"):
            granted.setdefault(link["user_id"], []).append(roles.get(link["role_id"], ""))
        for row in self._read("users", "ab_user"):
            yield mapping.fab_user(row, granted.get(row["id"], []), self.now)

    def _password_auth_users(self) -> Iterator[dict[str, Any]]:
        if self.family != "1.10":
            return
        for row in self._read("users", "users"):
            yield mapping.password_auth_user(row, self.now)

    def _simple_auth_users(self) -> Iterator[dict[str, Any]]:
        for name, role in self.options.simple_auth_users.items():
            password = self.options.simple_auth_passwords.get(name)
            hashed = self.hash_password(password) if password else mapping.UNUSABLE_PASSWORD
            yield mapping.user_row(
                username=name, email="", role=role, password_hash=hashed, created_at=self.now
            )

    def dags(self, tx: Transaction) -> Tally:
        tally = Tally()
        existing = set(tx.conn.execute(sa.select(s.dag.c.dag_id)).scalars())
        for row in self._read("dags", "dag"):
            mapped = mapping.dag(row)
            if mapped["dag_id"] in existing:
                tally.present += 1  # its pause state is Airflow's again
                where = s.dag.c.dag_id == mapped["dag_id"]
                tx.conn.execute(s.dag.update().where(where).values(is_paused=mapped["is_paused"]))
            else:
                tally.new += 1
                tx.conn.execute(s.dag.insert().values(**mapped))
        return tally

    def runs(self, tx: Transaction) -> Tally:
        notes = self._run_notes()
        by_date = {tuple(r) for r in tx.conn.execute(sa.select(s.dag_run.c.dag_id, s.dag_run.c.logical_date))}

        def mapped() -> Iterator[dict[str, Any] | None]:
            for row in self._read("runs", "dag_run"):
                run = mapping.dag_run(row, notes.get(row.get("id")))
                self._remember_run(row, run)
                if run is not None and (run["dag_id"], run["logical_date"]) in by_date:
                    run = {**run, "_present": True}
                yield run

        return _load(tx, s.dag_run, ("dag_id", "run_id"), mapped())

    def _remember_run(self, row: Mapping[str, Any], run: dict[str, Any] | None) -> None:
        if run is None:
            return
        self.run_ids[(run["dag_id"], run["logical_date"])] = run["run_id"]
        self.imported_runs.add((run["dag_id"], run["run_id"]))

    def _run_notes(self) -> dict[Any, str]:
        return {r["dag_run_id"]: r["content"] for r in self.source.rows("dag_run_note") if r.get("content")}

    def task_instances(self, tx: Transaction) -> Tally:
        self._ensure_runs(tx)
        notes = self._ti_notes()

        def mapped() -> Iterator[dict[str, Any] | None]:
            for row in self._read("task_instances", "task_instance"):
                run_id = row.get("run_id") or self.run_ids.get((row["dag_id"], mapping.run_logical_date(row)))
                if run_id is None or (row["dag_id"], run_id) not in self.imported_runs:
                    yield None  # its run is still running (or gone): import it once it ends
                    continue
                key = (row["dag_id"], run_id, row["task_id"], row.get("map_index", -1))
                yield mapping.task_instance(row, run_id, notes.get(key) or notes.get(row.get("id")))

        return _load(tx, s.task_instance, ("dag_id", "run_id", "task_id", "map_index"), mapped())

    def xcoms(self, tx: Transaction) -> Tally:
        self._ensure_runs(tx)

        def mapped() -> Iterator[dict[str, Any] | None]:
            for row in self._read("xcoms", "xcom"):
                run_id = row.get("run_id") or self.run_ids.get((row["dag_id"], mapping.run_logical_date(row)))
                if run_id is None or (row["dag_id"], run_id) not in self.imported_runs:
                    yield None
                    continue
                yield mapping.xcom(row, run_id, self.now)

        return _load(tx, s.xcom, ("dag_id", "run_id", "task_id", "map_index", "key"), mapped())

    def logs(self, tx: Transaction) -> Tally:
        """Each try's log file of the imported task instances, when Brisa has none for it."""
        self._ensure_runs(tx)
        folder = self.options.logs_folder
        tally = Tally()
        if folder is None:
            return tally
        c = s.task_log.c
        cols = (c.dag_id, c.run_id, c.task_id, c.map_index, c.try_number)
        existing = {tuple(r) for r in tx.conn.execute(sa.select(*cols).distinct())}
        for row in self._read("logs", "task_instance"):
            for key, try_number, path in self._log_files(folder, row):
                if (*key, try_number) in existing:
                    tally.present += 1
                elif path is None or not path.is_file():
                    tally.skipped += 1
                else:
                    tally.new += 1
                    tx.logs.append(TaskKey(*key), try_number, logs.read_chunks(path), now=self.now)
        return tally

    def _log_files(self, folder: Path, row: Mapping[str, Any]) -> Iterator[tuple[tuple, int, Path | None]]:
        logical_date = mapping.run_logical_date(row)
        run_id = row.get("run_id") or self.run_ids.get((row["dag_id"], logical_date))
        if run_id is None or (row["dag_id"], run_id) not in self.imported_runs:
            return
        map_index = row.get("map_index")
        key = (row["dag_id"], run_id, row["task_id"], -1 if map_index is None else int(map_index))
        for try_number in range(1, int(row.get("try_number") or 0) + 1):
            yield key, try_number, logs.try_log_path(folder, self.family, key, try_number, logical_date)

    def _ensure_runs(self, tx: Transaction) -> None:
        if "runs" not in self.options.kinds and not self.run_ids:
            self._collect_runs(tx)

    def _collect_runs(self, tx: Transaction) -> None:
        """Without ``runs`` in this import: tasks go only to runs an earlier import brought."""
        for row in self.source.rows("dag_run"):
            self._remember_run(row, mapping.dag_run(row))
        in_brisa = {tuple(r) for r in tx.conn.execute(sa.select(s.dag_run.c.dag_id, s.dag_run.c.run_id))}
        self.imported_runs &= in_brisa

    def _ti_notes(self) -> dict[Any, str]:
        """2.x keys a task's note by the task's key, 3.x by the task instance's id."""
        return {
            r["ti_id"] if "ti_id" in r else (r["dag_id"], r["run_id"], r["task_id"], r["map_index"]): r[
                "content"
            ]
            for r in self.source.rows("task_instance_note")
            if r.get("content")
        }

    def _read(self, kind: str, table: str) -> Iterator[dict[str, Any]]:
        total = self.source.count(table)
        for done, row in enumerate(self.source.rows(table), start=1):
            yield row
            if done % BATCH == 0 or done == total:
                self.progress(kind, done, total)


def _load(
    tx: Transaction,
    table: sa.Table,
    key_columns: tuple[str, ...],
    rows: Iterable[dict[str, Any] | None],
    *,
    key: Callable[[dict[str, Any]], tuple[Any, ...]] | None = None,
) -> Tally:
    """Insert the rows whose key Brisa has not got; count new, present and skipped (None) rows."""
    key = key or (lambda row: tuple(row[c] for c in key_columns))
    columns = [table.c[c] for c in key_columns]
    existing = {key(dict(zip(key_columns, r, strict=True))) for r in tx.conn.execute(sa.select(*columns))}
    tally = Tally()
    batch: list[dict[str, Any]] = []
    for row in rows:
        if row is None:
            tally.skipped += 1
        elif row.pop("_present", False) or key(row) in existing:
            tally.present += 1
        else:
            existing.add(key(row))
            tally.new += 1
            batch = _flush(tx, table, [*batch, row], BATCH)
    _flush(tx, table, batch, 1)
    return tally


def _flush(tx: Transaction, table: sa.Table, batch: list[dict[str, Any]], at: int) -> list[dict[str, Any]]:
    if len(batch) < at or not batch:
        return batch
    tx.conn.execute(table.insert(), batch)
    return []


__all__ = ["DEFAULT_KINDS", "KINDS", "ImportOptions", "ImportReport", "Tally", "import_airflow"]
