"""The executor interface and the workload handed to it.

An executor runs task tries somewhere (in-process, in child processes, on Celery
workers).  Whoever supervises a try writes its progress to the store through
``advance_ti``; the events an executor returns only tell the scheduler that a try is
over (so it re-plans that run at once) and that a slot is free.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from brisa.errors import ExecutorError
from brisa.store.records import TaskKey

MAX_WORKLOAD_BYTES = 4 * 1024 * 1024
"""The largest workload, as JSON, a task process is handed (the zygote's message size)."""
MAX_CONF_BYTES = MAX_WORKLOAD_BYTES - 64 * 1024
"""What of it the run's conf may take; the rest is a few hundred bytes."""


class UnrunnableWorkload(ExecutorError):
    """This try can never be handed to a task process (its run's conf is too big or too
    deep): it fails, counting towards its retries, instead of being offered again."""


@dataclass(frozen=True)
class RunContext:
    """What the runner needs to know of the DAG run to build the template context."""

    run_id: str
    run_type: str
    logical_date: datetime | None
    data_interval_start: datetime | None
    data_interval_end: datetime | None
    run_after: datetime
    start_date: datetime | None
    conf: dict[str, Any]
    triggered_by: str | None = None
    clear_number: int = 0
    prev_data_interval_start_success: datetime | None = None
    prev_data_interval_end_success: datetime | None = None
    prev_start_date_success: datetime | None = None
    prev_end_date_success: datetime | None = None
    prev_logical_date_success: datetime | None = None

    def handoff_problem(self) -> str | None:
        """Why no task process can be handed this run's tries, or None (the conf is the
        only part without a bound; runs stored before the API's limits may break it)."""
        try:
            size = len(json.dumps(self.conf, separators=(",", ":")))
        except (RecursionError, TypeError, ValueError) as exc:
            return f"the run's conf cannot be handed to a task process ({type(exc).__name__}: {exc})"
        if size > MAX_CONF_BYTES:
            return f"the run's conf is {size} bytes as JSON; a task process takes at most {MAX_CONF_BYTES}"
        return None


@dataclass(frozen=True)
class Workload:
    """One try of one task instance, self-contained: the runner needs nothing else."""

    key: TaskKey
    try_number: int
    max_tries: int
    fileloc: str
    run: RunContext
    generation: str = "2"
    queue: str = "default"
    pool: str = "default_pool"
    priority_weight: int = 1
    sensor_started_at: datetime | None = None
    dag_hash: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        conf = self.run.conf  # JSON already (read from the store): not walked, however deep
        data = asdict(replace(self, run=replace(self.run, conf={})))
        data["key"] = list(self.key)
        data = _iso(data)
        data["run"]["conf"] = conf
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Workload:
        run = {
            k: _parse_dt(v) if k.endswith(("_date", "_start", "_end", "_after", "_success")) else v
            for k, v in data["run"].items()
        }
        return cls(
            key=TaskKey(*data["key"]),
            try_number=data["try_number"],
            max_tries=data["max_tries"],
            fileloc=data["fileloc"],
            run=RunContext(**run),
            generation=data.get("generation", "2"),
            queue=data.get("queue", "default"),
            pool=data.get("pool", "default_pool"),
            priority_weight=data.get("priority_weight", 1),
            sensor_started_at=_parse_dt(data.get("sensor_started_at")),
            dag_hash=data.get("dag_hash"),
            extra=data.get("extra") or {},
        )


@dataclass(frozen=True)
class ExecutorEvent:
    """A try is over (its outcome is already in the store) or could not be run."""

    key: TaskKey
    try_number: int
    state: str | None
    message: str = ""


class BaseExecutor(abc.ABC):
    """Runs workloads; never decides task states on its own."""

    name = "base"

    def start(self) -> None:  # noqa: B027 - optional hook
        """Prepare to run tries (processes, connections); called once, before threads."""

    @abc.abstractmethod
    def submit(self, workloads: list[Workload]) -> None:
        """Start these tries (their rows are already ``queued``)."""

    @abc.abstractmethod
    def poll(self, timeout: float = 0.0) -> list[ExecutorEvent]:
        """Events since the last call, waiting up to ``timeout`` seconds for the first."""

    @property
    @abc.abstractmethod
    def slots_free(self) -> int:
        """How many more tries this executor takes now."""

    @abc.abstractmethod
    def running_keys(self) -> set[tuple[TaskKey, int]]:
        """(key, try_number) of the tries this executor currently supervises."""

    def claim_in(self, tx: Any, workloads: list[Workload]) -> list[Workload]:
        """Start tries inside the caller's transaction (queued -> running), if this executor
        supervises them in this process; returns those claimed, to pass to
        :meth:`start_claimed` after the commit. Saves a transaction per try on the
        critical path of a chain of tasks. By default nothing is claimed here."""
        return []

    def start_claimed(self, workloads: list[Workload]) -> None:
        """Run tries claimed by :meth:`claim_in` once its transaction committed."""
        if workloads:
            raise ExecutorError(f"{self.name} does not claim tries in the scheduler's transaction")

    def abandon_claimed(self, workloads: list[Workload]) -> None:  # noqa: B027 - optional hook
        """The transaction of :meth:`claim_in` failed: forget those tries."""

    def recover(self, tx: Any, ti: Any, now: datetime) -> Callable[[], None] | None:
        """A running try whose supervisor died: if its process ran on this host, adopt it
        or record how it ended, in ``tx``; returns what to do once ``tx`` committed. None
        when this executor knows nothing of it (the scheduler then fails the try)."""
        return None

    def discard(self, ti: Any) -> None:  # noqa: B027 - optional hook
        """A try cleared while its supervisor was dead: end what is left of it on this host."""

    def wake(self) -> None:  # noqa: B027 - optional hook
        """Make a pending ``poll`` return early (e.g. a run was triggered)."""

    @abc.abstractmethod
    def stop(self, grace: float) -> None:
        """Stop taking work; let running tries finish for ``grace`` seconds, then end them."""


def _iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_iso(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _parse_dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


__all__ = [
    "MAX_CONF_BYTES",
    "MAX_WORKLOAD_BYTES",
    "BaseExecutor",
    "ExecutorEvent",
    "RunContext",
    "UnrunnableWorkload",
    "Workload",
]
