"""The services' run actions as the runner's :class:`~brisa.runner.store_runtime.RunActions`.

The supervisor-side ``StoreRuntime`` triggers runs, skips and clears tasks for DAG code, but
the runner sits below the services; whoever wires a runtime (the CLI, the Celery worker)
hands it this object instead of the runner importing the services.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from brisa.serialized import SerializedDag
from brisa.services.runs import trigger_run
from brisa.services.tasks import clear_task_instances, skip_in_run
from brisa.store.records import RunRecord, TiRecord
from brisa.store.sql import Transaction


class ServiceActions:
    """Forwards each action to its service function, unchanged."""

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
    ) -> RunRecord:
        return trigger_run(
            tx, dag, now=now, run_id=run_id, logical_date=logical_date, conf=conf, triggered_by=triggered_by
        )

    def skip_in_run(
        self,
        tx: Transaction,
        dag_id: str,
        run_id: str,
        task_ids: Sequence[str],
        *,
        now: datetime,
        map_index: int | None,
    ) -> int:
        return skip_in_run(tx, dag_id, run_id, task_ids, now=now, map_index=map_index)

    def clear_task_instances(
        self, tx: Transaction, dag: SerializedDag, run: RunRecord, tis: Sequence[TiRecord], *, now: datetime
    ) -> list[TiRecord]:
        return clear_task_instances(tx, dag, run, tis, now=now)


def service_actions() -> ServiceActions:
    return ServiceActions()


__all__ = ["ServiceActions", "service_actions"]
