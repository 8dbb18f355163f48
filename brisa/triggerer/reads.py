"""What a trigger may read from the metadata database: the runtime the triggerer installs
in its event loop, for the triggers that watch other DAGs (``WorkflowTrigger``,
``DagStateTrigger``). Read-only, and nothing about a running try: a trigger has none.
The triggers call it from a worker thread (``asyncio.to_thread``), never from the loop."""

from __future__ import annotations

from brisa.runner.store_runtime import OtherDagReads
from brisa.runtime import NoSecrets, ReadOnlyRuntime, SecretsReader
from brisa.store.sql import Store


# The reads take keywords where ReadOnlyRuntime refuses anything (**_), as a try's runtime does.
class TriggerRuntime(OtherDagReads, ReadOnlyRuntime):  # type: ignore[misc]
    """Read through the triggerer's secrets as Airflow's triggerer reads the same backends:
    providers' async hooks look their connections up from inside the trigger."""

    allowed = "a trigger may read other DAGs' run and task states, variables and connections"

    def __init__(self, store: Store, source: SecretsReader | None = None) -> None:
        super().__init__(source or NoSecrets())
        self.store = store


__all__ = ["TriggerRuntime"]
