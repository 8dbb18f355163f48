"""What a trigger may read from the metadata database: the runtime the triggerer installs
in its event loop, for the triggers that watch other DAGs (``WorkflowTrigger``,
``DagStateTrigger``). Read-only, and nothing about a running try: a trigger has none.
The triggers call it from a worker thread (``asyncio.to_thread``), never from the loop."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from brisa.runtime import NoSecrets, ReadOnlyRuntime, SecretsReader
from brisa.store.sql import Store


class TriggerRuntime(ReadOnlyRuntime):
    """Read through the triggerer's secrets as Airflow's triggerer reads the same backends:
    providers' async hooks look their connections up from inside the trigger."""

    allowed = "a trigger may read other DAGs' run and task states, variables and connections"

    def __init__(self, store: Store, source: SecretsReader | None = None) -> None:
        super().__init__(source or NoSecrets())
        self.store = store

    def get_run_state(self, *, dag_id: str, run_id: str) -> str | None:  # type: ignore[override]
        with self.store.transaction(readonly=True) as tx:
            run = tx.runs.get(dag_id, run_id)
        return run.state.value if run is not None else None

    def count_task_states(  # type: ignore[override]
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

    def get_task_group_task_ids(  # type: ignore[override]
        self, *, dag_id: str, group_id: str
    ) -> list[str] | None:
        with self.store.transaction(readonly=True) as tx:
            dag = tx.dags.serialized(dag_id)
        return None if dag is None else dag.task_ids_in_group(group_id)


__all__ = ["TriggerRuntime"]
