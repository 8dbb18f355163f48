"""DAG rows, their serialized form, tags and import errors."""

from __future__ import annotations

import builtins  # in annotations after the repo's list() method, `list` names that method
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from brisa.errors import NotFoundError
from brisa.serialized import SerializedDag
from brisa.store import schema as s
from brisa.store.records import DagRecord, ImportErrorRecord, Page
from brisa.store.repos._common import count_of, counted_page, order_by_clause, page_of, sort_clauses
from brisa.store.repos.assets import AssetRepo
from brisa.store.repos.triggers import Cipher

if TYPE_CHECKING:
    from brisa.timetables import TimetableRegistry

_DAG_ORDER = ("dag_id", "fileloc", "next_dagrun", "last_parsed_time", "is_paused", "owners")


class DagRepo:
    def __init__(self, conn: sa.Connection, *, cipher: Cipher | None = None) -> None:
        self.conn = conn
        self.cipher = cipher
        """Seals the keyword arguments of the asset watchers' triggers a DAG defines."""

    # -- writing ---------------------------------------------------------------
    def upsert(
        self,
        dag: SerializedDag,
        *,
        paused_when_new: bool,
        now: datetime,
        source_code: str | None = None,
        timetables: TimetableRegistry | None = None,
    ) -> bool:
        """Store a freshly parsed DAG; True when the DAG is new.

        ``timetables`` (the plugins', passed by the DAG processor) describe a custom timetable.
        """
        values = _dag_values(dag, now, timetables)
        existing = self.conn.execute(sa.select(s.dag.c.dag_id).where(s.dag.c.dag_id == dag.dag_id)).first()
        if existing is None:
            is_paused = dag.is_paused_upon_creation
            self.conn.execute(
                s.dag.insert().values(
                    dag_id=dag.dag_id, is_paused=paused_when_new if is_paused is None else is_paused, **values
                )
            )
        else:
            self.conn.execute(s.dag.update().where(s.dag.c.dag_id == dag.dag_id).values(**values))
        self._write_serialized(dag, now, source_code)
        self._write_tags(dag.dag_id, dag.tags)
        AssetRepo(self.conn, cipher=self.cipher).sync_serialized(dag, now=now)
        return existing is None

    def touch_if_unchanged(self, dag: SerializedDag, *, now: datetime, source_code: str | None) -> bool:
        """A re-parse that changed nothing (same hash, file and source, still active) only
        moves ``last_parsed_time``, as Airflow skips writing an unchanged serialized DAG;
        True if so. A big folder is re-parsed every ``min_file_process_interval``."""
        row = self.conn.execute(
            sa.select(s.dag.c.is_active, s.serialized_dag.c.source_code)
            .join(s.serialized_dag, s.serialized_dag.c.dag_id == s.dag.c.dag_id)
            .where(
                s.dag.c.dag_id == dag.dag_id,
                s.dag.c.fileloc == dag.fileloc,
                s.dag.c.serialized_hash == dag.hash,
            )
        ).first()
        if row is None or not row.is_active or row.source_code != source_code:
            return False
        self.conn.execute(s.dag.update().where(s.dag.c.dag_id == dag.dag_id).values(last_parsed_time=now))
        return True

    def _write_serialized(self, dag: SerializedDag, now: datetime, source_code: str | None) -> None:
        row = {
            "fileloc": dag.fileloc,
            "data": dag.to_json(),
            "dag_hash": dag.hash,
            "source_code": source_code,
            "last_updated": now,
        }
        updated = self.conn.execute(
            s.serialized_dag.update().where(s.serialized_dag.c.dag_id == dag.dag_id).values(**row)
        ).rowcount
        if not updated:
            self.conn.execute(s.serialized_dag.insert().values(dag_id=dag.dag_id, **row))

    def _write_tags(self, dag_id: str, tags: Iterable[str]) -> None:
        self.conn.execute(s.dag_tag.delete().where(s.dag_tag.c.dag_id == dag_id))
        unique = sorted({t[:100] for t in tags})
        if unique:
            self.conn.execute(s.dag_tag.insert(), [{"dag_id": dag_id, "name": t} for t in unique])

    def set_next_run(
        self,
        dag_id: str,
        *,
        logical_date: datetime | None,
        interval_start: datetime | None,
        interval_end: datetime | None,
        create_after: datetime | None,
    ) -> None:
        self.conn.execute(
            s.dag.update()
            .where(s.dag.c.dag_id == dag_id)
            .values(
                next_dagrun=logical_date,
                next_dagrun_data_interval_start=interval_start,
                next_dagrun_data_interval_end=interval_end,
                next_dagrun_create_after=create_after,
            )
        )

    def set_paused(self, dag_id: str, paused: bool) -> DagRecord:
        done = self.conn.execute(
            s.dag.update().where(s.dag.c.dag_id == dag_id).values(is_paused=paused)
        ).rowcount
        if not done:
            raise NotFoundError(f"DAG {dag_id!r} not found")
        return self.require(dag_id)

    def deactivate(self, dag_ids: Iterable[str]) -> None:
        ids = list(dag_ids)
        if ids:
            self.conn.execute(
                s.dag.update()
                .where(s.dag.c.dag_id.in_(ids))
                .values(is_active=False, next_dagrun_create_after=None)
            )

    def activate_only(self, fileloc: str, dag_ids: Iterable[str]) -> list[str]:
        """DAGs once defined in ``fileloc`` but not any more become inactive; returns them."""
        keep = set(dag_ids)
        rows = self.conn.execute(
            sa.select(s.dag.c.dag_id).where(s.dag.c.fileloc == fileloc, s.dag.c.is_active.is_(True))
        ).scalars()
        gone = [d for d in rows if d not in keep]
        self.deactivate(gone)
        return gone

    def deactivate_files_not_in(self, filelocs: Iterable[str]) -> list[str]:
        present = set(filelocs)
        rows = self.conn.execute(
            sa.select(s.dag.c.dag_id, s.dag.c.fileloc).where(s.dag.c.is_active.is_(True))
        ).all()
        gone = [r.dag_id for r in rows if r.fileloc not in present]
        self.deactivate(gone)
        return gone

    def delete(self, dag_id: str) -> None:
        """Every row of the DAG (runs, task instances, tries, logs, XComs, serialized form,
        tags) and its file's import errors, as Airflow's ``delete_dag``; the audit log stays."""
        fileloc = self.conn.execute(sa.select(s.dag.c.fileloc).where(s.dag.c.dag_id == dag_id)).scalar()
        if fileloc is not None:
            self.conn.execute(s.import_error.delete().where(s.import_error.c.filename == fileloc))
        for table in (
            s.task_log,
            s.xcom,
            s.task_state,
            s.task_try,
            s.task_instance,
            s.dag_run,
            s.backfill,
            s.serialized_dag,
            s.dag_tag,
        ):
            self.conn.execute(table.delete().where(table.c.dag_id == dag_id))
        self.conn.execute(s.dag.delete().where(s.dag.c.dag_id == dag_id))
        AssetRepo(self.conn, cipher=self.cipher).forget_dag(dag_id)

    # -- reading ---------------------------------------------------------------
    def get(self, dag_id: str) -> DagRecord | None:
        row = self.conn.execute(sa.select(s.dag).where(s.dag.c.dag_id == dag_id)).first()
        if row is None:
            return None
        return DagRecord.from_row(row, tags=tuple(self._tags([dag_id]).get(dag_id, ())))

    def require(self, dag_id: str) -> DagRecord:
        record = self.get(dag_id)
        if record is None:
            raise NotFoundError(f"DAG {dag_id!r} not found")
        return record

    def list(
        self,
        *,
        active: bool | None = True,
        paused: bool | None = None,
        tags: Sequence[str] = (),
        dag_id_pattern: str | None = None,
        dag_ids: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        order_by: str = "dag_id",
        subdags: bool = True,
    ) -> Page[DagRecord]:
        """``subdags=False`` leaves out SubDagOperator's child DAGs, as Airflow 1.10/2.x lists."""
        query = sa.select(s.dag)
        if not subdags:
            query = query.where(s.dag.c.is_subdag.is_(False))
        if active is not None:
            query = query.where(s.dag.c.is_active.is_(active))
        if paused is not None:
            query = query.where(s.dag.c.is_paused.is_(paused))
        if dag_ids is not None:
            query = query.where(s.dag.c.dag_id.in_(list(dag_ids)))
        if dag_id_pattern:
            query = query.where(s.dag.c.dag_id.ilike(_like(dag_id_pattern)))
        if tags:
            tagged = sa.select(s.dag_tag.c.dag_id).where(s.dag_tag.c.name.in_(list(tags)))
            query = query.where(s.dag.c.dag_id.in_(tagged))
        total = self.conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        query = query.order_by(*order_by_clause(s.dag, order_by, _DAG_ORDER), s.dag.c.dag_id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        rows = self.conn.execute(query).all()
        tag_map = self._tags([r.dag_id for r in rows])
        items = [DagRecord.from_row(r, tags=tuple(tag_map.get(r.dag_id, ()))) for r in rows]
        return Page(items, total)

    def search(
        self,
        *,
        active: bool | None = True,
        paused: bool | None = None,
        tags: Sequence[str] = (),
        tags_match_all: bool = False,
        owners: Sequence[str] = (),
        dag_id_like: str | None = None,
        last_run_states: Sequence[str] = (),
        any_run_states: Sequence[str] = (),
        order: Sequence[tuple[str, bool]] = (("dag_id", False),),
        limit: int | None = None,
        offset: int = 0,
        subdags: bool = True,
    ) -> Page[DagRecord]:
        """The REST API's DAG listing: Airflow's filters and multi-key ordering
        (``subdags=False``: without SubDagOperator's child DAGs).

        ``*_like`` are SQL LIKE patterns; the order keys are ``dag_id``, ``next_dagrun``,
        ``last_run_state`` and ``last_run_start_date`` (the newest run by ``run_after``).
        """
        last = _last_runs()
        # The newest-run subquery ranks every run of every DAG: join it only when the
        # listing filters or sorts on it, not for every page of every DAG list.
        needs_last = bool(last_run_states) or any(key.startswith("last_run") for key, _ in order)
        query = sa.select(s.dag)
        if needs_last:
            query = query.outerjoin(last, last.c.dag_id == s.dag.c.dag_id)
        if not subdags:
            query = query.where(s.dag.c.is_subdag.is_(False))
        if active is not None:
            query = query.where(s.dag.c.is_active.is_(active))
        if paused is not None:
            query = query.where(s.dag.c.is_paused.is_(paused))
        if dag_id_like:
            query = query.where(s.dag.c.dag_id.ilike(dag_id_like))
        query = _with_tags(query, tags, match_all=tags_match_all)
        if owners:
            query = query.where(sa.or_(*(_owner_clause(o) for o in owners)))
        if last_run_states:
            query = query.where(last.c.state.in_(list(last_run_states)))
        if any_run_states:
            runs = sa.select(s.dag_run.c.dag_id).where(s.dag_run.c.state.in_(list(any_run_states)))
            query = query.where(s.dag.c.dag_id.in_(runs))
        columns = {
            "dag_id": s.dag.c.dag_id,
            "next_dagrun": s.dag.c.next_dagrun,
            "last_run_state": last.c.state,
            "last_run_start_date": last.c.start_date,
        }
        query = query.order_by(*sort_clauses(columns, order, s.dag.c.dag_id))
        rows, total = counted_page(self.conn, query, limit, offset)
        tag_map = self._tags([r.dag_id for r in rows])
        return Page([DagRecord.from_row(r, tags=tuple(tag_map.get(r.dag_id, ()))) for r in rows], total)

    def held_ids(self) -> set[str]:
        """DAGs the scheduler must leave alone: paused, or gone from the DAG files."""
        rows = self.conn.execute(
            sa.select(s.dag.c.dag_id).where(sa.or_(s.dag.c.is_paused.is_(True), s.dag.c.is_active.is_(False)))
        )
        return set(rows.scalars())

    def search_tags(
        self,
        *,
        name_like: str | None = None,
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[str]:
        """Distinct tag names (``name_like``: a SQL LIKE pattern, case-insensitive) and how many match."""
        name = s.dag_tag.c.name
        query = sa.select(name).group_by(name)
        if name_like:
            query = query.where(name.ilike(name_like))
        query = query.order_by(name.desc() if descending else name.asc())
        rows, total = counted_page(self.conn, query, limit, offset)
        return Page([row.name for row in rows], total)

    def all_tags(self) -> builtins.list[str]:
        return list(
            self.conn.execute(sa.select(s.dag_tag.c.name).distinct().order_by(s.dag_tag.c.name)).scalars()
        )

    def _tags(self, dag_ids: Sequence[str]) -> dict[str, builtins.list[str]]:
        if not dag_ids:
            return {}
        rows = self.conn.execute(
            sa.select(s.dag_tag.c.dag_id, s.dag_tag.c.name)
            .where(s.dag_tag.c.dag_id.in_(list(dag_ids)))
            .order_by(s.dag_tag.c.name)
        )
        result: dict[str, list[str]] = {}
        for dag_id, name in rows:
            result.setdefault(dag_id, []).append(name)
        return result

    def serialized(self, dag_id: str) -> SerializedDag | None:
        data = self.conn.execute(
            sa.select(s.serialized_dag.c.data).where(s.serialized_dag.c.dag_id == dag_id)
        ).scalar()
        return SerializedDag.from_json(data) if data else None

    def require_serialized(self, dag_id: str) -> SerializedDag:
        dag = self.serialized(dag_id)
        if dag is None:
            raise NotFoundError(f"DAG {dag_id!r} not found")
        return dag

    def serialized_hashes(self, dag_ids: Iterable[str] | None = None) -> dict[str, str]:
        """``{dag_id: hash}`` of the stored DAGs, or of those among ``dag_ids``."""
        query = sa.select(s.serialized_dag.c.dag_id, s.serialized_dag.c.dag_hash)
        if dag_ids is not None:
            query = query.where(s.serialized_dag.c.dag_id.in_(builtins.list(dag_ids)))
        return {dag_id: dag_hash for dag_id, dag_hash in self.conn.execute(query)}

    def source_code(self, dag_id: str) -> str | None:
        return self.conn.execute(
            sa.select(s.serialized_dag.c.source_code).where(s.serialized_dag.c.dag_id == dag_id)
        ).scalar()

    def schedulable(self, now: datetime, *, limit: int = 100, lock: bool = False) -> builtins.list[DagRecord]:
        """Active, unpaused DAGs whose next run is due, oldest first.

        ``lock`` takes the rows with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) so two
        schedulers never create runs for the same DAG at once.
        """
        query = (
            sa.select(s.dag)
            .where(
                s.dag.c.is_active.is_(True),
                s.dag.c.is_paused.is_(False),
                s.dag.c.next_dagrun_create_after <= now,
            )
            .order_by(s.dag.c.next_dagrun_create_after)
            .limit(limit)
        )
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=s.dag)
        return [DagRecord.from_row(r) for r in self.conn.execute(query)]

    def lock(self, dag_id: str) -> bool:
        """Take one DAG's row lock (PostgreSQL) or report False when another holds it."""
        if self.conn.dialect.name != "postgresql":
            return True
        row = self.conn.execute(
            sa.select(s.dag.c.dag_id).where(s.dag.c.dag_id == dag_id).with_for_update(skip_locked=True)
        ).first()
        return row is not None

    # -- import errors -----------------------------------------------------------
    def replace_import_errors(
        self, filename: str, errors: Sequence[dict[str, Any]], *, now: datetime
    ) -> None:
        self.conn.execute(s.import_error.delete().where(s.import_error.c.filename == filename))
        if errors:
            self.conn.execute(
                s.import_error.insert(),
                [
                    {
                        "filename": filename,
                        "lineno": e.get("lineno"),
                        "message": e.get("message", ""),
                        "stacktrace": e.get("stacktrace", ""),
                        "timestamp": now,
                    }
                    for e in errors
                ],
            )
        self.conn.execute(
            s.dag.update().where(s.dag.c.fileloc == filename).values(has_import_errors=bool(errors))
        )

    def clear_import_errors_not_in(self, filenames: Iterable[str]) -> None:
        keep = list(set(filenames))
        query = s.import_error.delete()
        if keep:
            query = query.where(s.import_error.c.filename.not_in(keep))
        self.conn.execute(query)

    def import_errors(self, *, limit: int | None = None, offset: int = 0) -> Page[ImportErrorRecord]:
        total = self.conn.execute(sa.select(sa.func.count()).select_from(s.import_error)).scalar_one()
        query = sa.select(s.import_error).order_by(s.import_error.c.filename, s.import_error.c.id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return Page([ImportErrorRecord.from_row(r) for r in self.conn.execute(query)], total)

    def search_import_errors(
        self,
        *,
        filename_like: str | None = None,
        order: Sequence[tuple[str, bool]] = (("id", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[ImportErrorRecord]:
        """Import errors with multi-key ordering (``id``, ``timestamp``, ``filename``, ``stacktrace``)."""
        query = sa.select(s.import_error)
        if filename_like:
            query = query.where(s.import_error.c.filename.ilike(filename_like))
        total = count_of(self.conn, query)
        columns = {name: s.import_error.c[name] for name in ("id", "timestamp", "filename", "stacktrace")}
        query = query.order_by(*sort_clauses(columns, order, s.import_error.c.id))
        rows = self.conn.execute(page_of(query, limit, offset))
        return Page([ImportErrorRecord.from_row(r) for r in rows], total)

    def import_error(self, error_id: int) -> ImportErrorRecord:
        row = self.conn.execute(sa.select(s.import_error).where(s.import_error.c.id == error_id)).first()
        if row is None:
            raise NotFoundError(f"import error {error_id} not found")
        return ImportErrorRecord.from_row(row)


def _dag_values(dag: SerializedDag, now: datetime, timetables: TimetableRegistry | None) -> dict[str, Any]:
    return {
        "fileloc": dag.fileloc,
        "relative_fileloc": dag.relative_fileloc,
        "is_active": True,
        "owners": ", ".join(dag.owners),
        "description": dag.description,
        "timetable_summary": dag.schedule_summary,
        "timetable_description": _schedule_in_words(dag, timetables),
        "max_active_runs": dag.max_active_runs,
        "max_active_tasks": dag.max_active_tasks,
        "max_consecutive_failed_dag_runs": dag.max_consecutive_failed_dag_runs,
        "has_task_concurrency_limits": any(
            t.max_active_tis_per_dag is not None or t.max_active_tis_per_dagrun is not None
            for t in dag.tasks.values()
        ),
        "generation": dag.generation,
        "serialized_hash": dag.hash,
        "last_parsed_time": now,
        "is_subdag": dag.is_subdag,
    }


def _schedule_in_words(dag: SerializedDag, timetables: TimetableRegistry | None) -> str | None:
    from brisa.errors import BrisaError
    from brisa.timetables import no_plugin_timetables, timetable_from_dict

    try:
        registry = timetables or no_plugin_timetables
        return timetable_from_dict(dag.timetable, registry=registry).description or None
    except (BrisaError, KeyError, TypeError, ValueError):
        return None


def _like(pattern: str) -> str:
    """Airflow 3's ``dag_id_pattern``: a SQL LIKE pattern matched anywhere in the id."""
    return f"%{pattern}%"


def _last_runs() -> sa.Subquery:
    """Each DAG's newest run (by ``run_after``): its state and start date."""
    ranked = sa.select(
        s.dag_run.c.dag_id,
        s.dag_run.c.state,
        s.dag_run.c.start_date,
        sa.func.row_number()
        .over(partition_by=s.dag_run.c.dag_id, order_by=(s.dag_run.c.run_after.desc(), s.dag_run.c.id.desc()))
        .label("rank"),
    ).subquery()
    newest = sa.select(ranked.c.dag_id, ranked.c.state, ranked.c.start_date).where(ranked.c.rank == 1)
    return newest.subquery()


def _with_tags(query: sa.Select[Any], tags: Sequence[str], *, match_all: bool) -> sa.Select[Any]:
    if not tags:
        return query
    if not match_all:
        tagged = sa.select(s.dag_tag.c.dag_id).where(s.dag_tag.c.name.in_(list(tags)))
        return query.where(s.dag.c.dag_id.in_(tagged))
    for tag in set(tags):
        query = query.where(s.dag.c.dag_id.in_(sa.select(s.dag_tag.c.dag_id).where(s.dag_tag.c.name == tag)))
    return query


def _owner_clause(owner: str) -> sa.ColumnElement[bool]:
    """``owners`` is stored as ``"a, b"``: match one whole name in that list."""
    column = s.dag.c.owners
    return sa.or_(
        column == owner,
        column.like(f"{owner}, %"),
        column.like(f"%, {owner}"),
        column.like(f"%, {owner}, %"),
    )
