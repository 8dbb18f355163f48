"""The ``TaskRuntime`` that answers from the metadata store.

Used by supervisors on behalf of their task processes, and in-process by
``brisa dags test`` / ``brisa tasks test``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from brisa.runner.xcom_sequences import XComSequences
from brisa.runtime import RESET_FAILED_TASKS, SecretsReader
from brisa.serialized import SerializedDag
from brisa.states import TaskState
from brisa.store.records import RunRecord, TaskKey, TiRecord
from brisa.store.sql import Store, Transaction

_ABSENT = object()
_FAILED_TO_RERUN = frozenset({TaskState.FAILED, TaskState.UPSTREAM_FAILED})

TI_FIELDS = (
    "dag_id",
    "run_id",
    "task_id",
    "map_index",
    "try_number",
    "max_tries",
    "start_date",
    "end_date",
    "duration",
    "operator",
    "hostname",
    "pid",
    "pool",
    "pool_slots",
    "queue",
    "priority_weight",
    "queued_dttm",
    "note",
)
"""What DAG code sees of a task instance (``dag_run.get_task_instances()``), besides its state."""


class RunActions(Protocol):
    """The run actions DAG code may ask for (``TriggerDagRunOperator``, ``skip``, a SubDAG's
    retry): services' functions, handed in by whoever wires the runtime
    (:func:`brisa.services.run_actions.service_actions`), because the runner sits below
    the services."""

    def trigger_run(
        self,
        tx: Transaction,
        dag: SerializedDag,
        *,
        now: datetime,
        run_id: str | None,
        logical_date: datetime | None,
        conf: dict[str, Any] | None,
        triggered_by: str,
    ) -> RunRecord: ...

    def skip_in_run(
        self,
        tx: Transaction,
        dag_id: str,
        run_id: str,
        task_ids: Sequence[str],
        *,
        now: datetime,
        map_index: int | None,
    ) -> object: ...

    def clear_task_instances(
        self,
        tx: Transaction,
        dag: SerializedDag,
        run: RunRecord,
        tis: Sequence[TiRecord],
        *,
        now: datetime,
    ) -> object: ...


class SecretsSource(Protocol):
    def get_variable(self, key: str) -> str | None: ...

    def set_variable(self, key: str, value: str, description: str | None = None) -> None: ...

    def delete_variable(self, key: str) -> None: ...

    def get_connection(self, conn_id: str) -> dict[str, Any] | None: ...


class Masker(Protocol):
    def add(self, value: Any, name: str | None = None) -> None: ...

    def add_variable(self, key: str, value: Any) -> None: ...

    def add_sensitive_parts(self, value: Any) -> None: ...

    def mask(self, text: str) -> str: ...


class MaskedSecrets:
    """Variables and connections for DAG code, each registered with ``masker`` as it is
    handed out, as Airflow masks secrets on load: a variable under a sensitive name, a
    connection's password and sensitive extras.

    The SDK's ``Variable.get`` and ``get_connection`` also ask for masking themselves;
    doing it here as well keeps the log safe from DAG code that reads the runtime some
    other way, and applies the configured sensitive names.
    """

    def __init__(self, source: SecretsReader, masker: Masker) -> None:
        self.source = source
        self.masker = masker

    def get_variable(self, key: str) -> str | None:
        value = self.source.get_variable(key)
        if value is not None:
            self.masker.add_variable(key, value)
        return value

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        conn = self.source.get_connection(conn_id)
        if conn is not None:
            self.masker.add(conn.get("password"), name="password")
            self.masker.add_sensitive_parts(conn.get("extra") or {})
        return conn


class TaskInstanceReader:
    """Reads a run's task instances for DAG code, as dicts that can cross a socket.

    Answers task processes (through :class:`StoreRuntime`), DAG-level callback children
    and ``brisa dags test``.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def get_task_instances(
        self, *, dag_id: str, run_id: str, states: Sequence[str | None] | None
    ) -> list[dict[str, Any]]:
        with self.store.transaction(readonly=True) as tx:
            found = tx.tis.for_run(dag_id, run_id, states=states)
        return [ti_fields(ti) for ti in found]

    def get_task_instance(
        self, *, dag_id: str, run_id: str, task_id: str, map_index: int
    ) -> dict[str, Any] | None:
        with self.store.transaction(readonly=True) as tx:
            ti = tx.tis.get(TaskKey(dag_id, run_id, task_id, map_index))
        return None if ti is None else ti_fields(ti)


def ti_fields(ti: TiRecord) -> dict[str, Any]:
    fields = {name: getattr(ti, name) for name in TI_FIELDS}
    fields["state"] = ti.state.value if ti.state else None
    return fields


class OtherDagReads:
    """What ``ExternalTaskSensor`` and its triggers read of other DAGs: asked by a try's
    runtime and by the triggerer's (``brisa.triggerer.reads``), both over ``store``."""

    store: Store

    def get_run_state(self, *, dag_id: str, run_id: str) -> str | None:
        with self.store.transaction(readonly=True) as tx:
            run = tx.runs.get(dag_id, run_id)
        return None if run is None else run.state.value

    def count_task_states(
        self,
        *,
        dag_id: str,
        logical_dates: Sequence[str],
        task_ids: Sequence[str] | None,
        states: Sequence[str | None],
    ) -> int:
        dates = [datetime.fromisoformat(d) for d in logical_dates]
        with self.store.transaction(readonly=True) as tx:
            found = tx.tis.states_for_dates(dag_id, dates, task_ids)
        wanted = {None if s in (None, "none") else str(s) for s in states}
        return sum(1 for s in found if s in wanted)

    def get_task_group_task_ids(self, *, dag_id: str, group_id: str) -> list[str] | None:
        with self.store.transaction(readonly=True) as tx:
            dag = tx.dags.serialized(dag_id)
        return None if dag is None else dag.task_ids_in_group(group_id)


class StoreRuntime(OtherDagReads):
    """Answers one try's questions; ``mask`` learns every secret handed out."""

    def __init__(
        self,
        store: Store,
        key: TaskKey,
        *,
        secrets: SecretsSource,
        masker: Masker,
        clock: Callable[[], datetime],
        actions: RunActions,
        on_trigger: Callable[[], None] = lambda: None,
        sequences: XComSequences | None = None,
    ) -> None:
        self.store = store
        self.sequences = sequences if sequences is not None else XComSequences()
        self.actions = actions
        self.key = key
        self.secrets = secrets
        self.masker = masker
        self.clock = clock
        self.on_trigger = on_trigger
        self._tis = TaskInstanceReader(store)
        self._reads = MaskedSecrets(secrets, masker)

    def xcom_pull(
        self,
        *,
        dag_id: str,
        run_id: str,
        task_ids: Sequence[str] | None,
        key: str | None,
        map_indexes: Sequence[int] | None,
    ) -> list[tuple[str, int, Any]]:
        with self.store.transaction(readonly=True) as tx:
            rows = tx.xcoms.pull(
                dag_id=dag_id, run_id=run_id, task_ids=task_ids, key=key, map_indexes=map_indexes
            )
        return [(r.task_id, r.map_index, r.value) for r in rows]

    def xcom_sequence(
        self, *, dag_id: str, run_id: str, task_id: str, key: str, index: int | None
    ) -> dict[str, Any]:
        with self.store.transaction(readonly=True) as tx:
            return self.sequences.answer(
                tx.xcoms, dag_id=dag_id, run_id=run_id, task_id=task_id, key=key, index=index
            )

    def xcom_push(self, *, key: str, value: Any) -> None:
        with self.store.transaction() as tx:
            tx.xcoms.set(self.key, key, value, now=self.clock())

    def get_variable(self, key: str) -> str | None:
        return self._reads.get_variable(key)

    def set_variable(self, key: str, value: str, description: str | None = None) -> None:
        self.secrets.set_variable(key, value, description)

    def delete_variable(self, key: str) -> None:
        self.secrets.delete_variable(key)

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        return self._reads.get_connection(conn_id)

    def trigger_dag(
        self,
        *,
        dag_id: str,
        run_id: str | None,
        conf: dict[str, Any] | None,
        logical_date: str | None,
        reset_dag_run: bool | str,
    ) -> str:
        now = self.clock()
        when = datetime.fromisoformat(logical_date) if logical_date else None
        with self.store.transaction() as tx:
            dag = tx.dags.require_serialized(dag_id)
            existing = tx.runs.get(dag_id, run_id) if reset_dag_run and run_id else None
            if existing is not None and reset_dag_run == RESET_FAILED_TASKS:
                clear_failed_tasks(tx, dag, existing, now=now, actions=self.actions)
                self.on_trigger()
                return existing.run_id
            if existing is not None:
                tx.runs.delete(dag_id, existing.run_id)
            run = self.actions.trigger_run(
                tx,
                dag,
                now=now,
                run_id=run_id,
                logical_date=when,
                conf=conf,
                triggered_by="operator",
            )
        self.on_trigger()
        return run.run_id

    def get_asset_events(
        self,
        *,
        dag_id: str | None = None,
        run_id: str | None = None,
        name: str | None = None,
        uri: str | None = None,
        alias: str | None = None,
    ) -> list[dict[str, Any]]:
        """The events that triggered a run, those emitted through an alias, or every event
        on an asset (by name and/or uri)."""
        from brisa.assets.events import asset_events_for

        with self.store.transaction(readonly=True) as tx:
            return asset_events_for(tx, dag_id=dag_id, run_id=run_id, name=name, uri=uri, alias=alias)

    def get_task_instances(
        self, *, dag_id: str, run_id: str, states: Sequence[str | None] | None
    ) -> list[dict[str, Any]]:
        return self._tis.get_task_instances(dag_id=dag_id, run_id=run_id, states=states)

    def get_task_instance(
        self, *, dag_id: str, run_id: str, task_id: str, map_index: int
    ) -> dict[str, Any] | None:
        return self._tis.get_task_instance(dag_id=dag_id, run_id=run_id, task_id=task_id, map_index=map_index)

    def skip_tasks(self, *, task_ids: Sequence[str], map_index: int | None = None) -> None:
        with self.store.transaction() as tx:
            key, now = self.key, self.clock()
            self.actions.skip_in_run(tx, key.dag_id, key.run_id, task_ids, now=now, map_index=map_index)

    def get_task_state(self, *, key: str) -> dict[str, Any] | None:
        with self.store.transaction(readonly=True) as tx:
            value = tx.task_state.get(self.key, key, now=self.clock(), default=_ABSENT)
        return None if value is _ABSENT else {"value": value}

    def set_task_state(self, *, key: str, value: Any, retention: float | None) -> None:
        now = self.clock()
        expires_at = None if retention is None else now + timedelta(seconds=retention)
        with self.store.transaction() as tx:
            tx.task_state.set(self.key, key, value, now=now, expires_at=expires_at)

    def delete_task_state(self, *, key: str) -> None:
        with self.store.transaction() as tx:
            tx.task_state.delete(self.key, key)

    def clear_task_state(self) -> None:
        with self.store.transaction() as tx:
            tx.task_state.clear(self.key)

    def mask_secret(self, value: str | dict[str, Any]) -> None:
        self.masker.add(value)

    def mask_text(self, text: str) -> str:
        return self.masker.mask(text)


def clear_failed_tasks(
    tx: Transaction, dag: SerializedDag, run: RunRecord, *, now: datetime, actions: RunActions
) -> None:
    """Airflow 2's SubDagOperator retry (``_reset_dag_run_and_task_instances``): the child
    run's failed and upstream_failed tasks run again; its successful ones are kept."""
    failed = [ti for ti in tx.tis.for_run(run.dag_id, run.run_id) if ti.state in _FAILED_TO_RERUN]
    actions.clear_task_instances(tx, dag, run, failed, now=now)


__all__ = [
    "TI_FIELDS",
    "MaskedSecrets",
    "Masker",
    "RunActions",
    "SecretsSource",
    "StoreRuntime",
    "TaskInstanceReader",
    "clear_failed_tasks",
    "ti_fields",
]
