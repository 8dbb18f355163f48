"""The workload: one try of one task instance, everything its process needs.

Made by :func:`brisa.tries.build.build_workload` (the scheduler, ``brisa tasks``),
handed to an executor, sent as JSON to a task process or a Celery worker, and kept in
a task process's durable record.  Every field is typed: nothing is read by string key.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from brisa.process.zygote import MAX_MESSAGE_BYTES
from brisa.store.records import TaskKey
from brisa.tries.retry import RetryPolicy

MAX_WORKLOAD_BYTES = MAX_MESSAGE_BYTES
"""The largest workload, as JSON, a task process is handed (the zygote's message size)."""
MAX_CONF_BYTES = MAX_WORKLOAD_BYTES - 64 * 1024
"""What of it the run's conf may take; the rest is a few hundred bytes."""


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
    partition_key: str | None = None
    """Airflow 3.2+'s partition of the run, and the instant it stands for."""
    partition_date: datetime | None = None

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
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    """The task's retry settings, so a supervisor decides a silent death without the DAG file."""
    execution_timeout: float | None = None
    """Seconds; the supervisor kills a task process that outlives it (plus some slack)."""
    next_method: str | None = None
    """A deferred try resumed: the operator's method to call instead of ``execute``
    (:mod:`brisa.tries.deferral`); None for a fresh try."""
    next_kwargs: str | None = None
    """Its keyword arguments (with the trigger's ``event``), JSON with :mod:`brisa.serde`'s tags."""

    @property
    def retry_seed(self) -> str:
        """What spreads this task's exponential backoff (Airflow's dag#task#logical date)."""
        return f"{self.key.dag_id}#{self.key.task_id}#{self.run.logical_date}"

    def to_dict(self) -> dict[str, Any]:
        conf = self.run.conf  # JSON already (read from the store): not walked, however deep
        data = asdict(replace(self, run=replace(self.run, conf={})))
        data["key"] = list(self.key)
        data = _iso(data)
        data["run"]["conf"] = conf
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Workload:
        run: dict[str, Any] = {
            k: _parse_dt(v) if k.endswith(("_date", "_start", "_end", "_after", "_success")) else v
            for k, v in data["run"].items()
        }
        legacy = data.get("extra") or {}  # how a workload queued by an older Brisa says it
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
            retry=RetryPolicy(**data["retry"]) if "retry" in data else _legacy_retry(legacy),
            execution_timeout=data.get("execution_timeout", legacy.get("execution_timeout")),
            next_method=data.get("next_method"),
            next_kwargs=data.get("next_kwargs"),
        )


def _legacy_retry(extra: dict[str, Any]) -> RetryPolicy:
    return RetryPolicy(
        retry_delay=float(extra.get("retry_delay", 300.0)),
        exponential_backoff=bool(extra.get("retry_exponential_backoff", False)),
        max_retry_delay=extra.get("max_retry_delay"),
    )


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


__all__ = ["MAX_CONF_BYTES", "MAX_WORKLOAD_BYTES", "RunContext", "Workload"]
