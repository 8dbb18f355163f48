"""The serialized DAG: everything the scheduler, the API and the UI know of a DAG.

The loader turns a DAG object (built by running a DAG file) into a
:class:`SerializedDag` and stores it as JSON.  Nothing downstream of the loader runs
DAG code: the scheduler plans from these records, and only the task runner, in its own
process, imports the DAG file again.

The JSON form is the contract between the two sides; :meth:`SerializedDag.to_dict`
and :meth:`SerializedDag.from_dict` are its only readers and writers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

FORMAT_VERSION = 1
ASSET_TIMETABLES = ("AssetTriggeredTimetable", "AssetOrTimeSchedule", "PartitionedAssetTimetable")
"""Timetable types scheduled on an asset condition (their ``condition`` field)."""


@dataclass(frozen=True)
class MappedInput:
    """Where one expanded argument of a mapped task gets its values from.

    At most one of ``literal_length`` (a list or dict given in the DAG file),
    ``xcom_task_id`` (an upstream task's XCom, known only at run time) and ``zip_of``
    (``XComArg.zip``: the shortest of those inputs, or the longest when ``zip_longest``)
    is set.
    """

    name: str
    literal_length: int | None = None
    xcom_task_id: str | None = None
    xcom_key: str = "return_value"
    zip_of: tuple[MappedInput, ...] = ()
    zip_longest: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MappedInput:
        zipped = tuple(cls.from_dict(i) for i in data.get("zip_of") or ())
        return cls(**{**data, "zip_of": zipped})


@dataclass(frozen=True)
class MappedSpec:
    """``kind`` is ``expand`` (cross product of the inputs) or ``expand_kwargs``; ``group``
    names the mapped task group the task is expanded by (None for ``Op.partial().expand()``)."""

    kind: str
    inputs: tuple[MappedInput, ...]
    group: str | None = None


@dataclass(frozen=True)
class SerializedTask:
    task_id: str
    operator: str
    upstream: tuple[str, ...] = ()
    downstream: tuple[str, ...] = ()
    trigger_rule: str = "all_success"
    retries: int = 0
    retry_delay: float = 300.0
    retry_exponential_backoff: bool = False
    max_retry_delay: float | None = None
    execution_timeout: float | None = None
    depends_on_past: bool = False
    ignore_first_depends_on_past: bool = True
    wait_for_downstream: bool = False
    priority_weight: int = 1
    weight_rule: str = "downstream"
    priority: int = 1
    """Effective priority after the weight rule (computed by the loader)."""
    pool: str = "default_pool"
    pool_slots: int = 1
    queue: str = "default"
    owner: str = "airflow"
    max_active_tis_per_dag: int | None = None
    max_active_tis_per_dagrun: int | None = None
    is_sensor: bool = False
    sensor_mode: str = "poke"
    poke_interval: float = 60.0
    sensor_timeout: float = 604800.0
    soft_fail: bool = False
    is_setup: bool = False
    is_teardown: bool = False
    task_group: str | None = None
    mapped: MappedSpec | None = None
    do_xcom_push: bool = True
    email: tuple[str, ...] = ()
    email_on_failure: bool = True
    email_on_retry: bool = True
    has_on_execute_callback: bool = False
    has_on_success_callback: bool = False
    has_on_failure_callback: bool = False
    has_on_retry_callback: bool = False
    has_on_skipped_callback: bool = False
    template_fields: tuple[str, ...] = ()
    ui_color: str = "#fff"
    ui_fgcolor: str = "#000"
    doc_md: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Operator details shown on the UI (e.g. ``bash_command``); never used to plan."""
    outlets: tuple[dict[str, Any], ...] = ()
    """Assets/aliases the task updates when it succeeds (``{"asset": {...}}``/``{"alias": {...}}``)."""
    inlets: tuple[dict[str, Any], ...] = ()
    extra_links: dict[str, str] = field(default_factory=dict)
    """``operator_extra_links``: ``{name: XCom key}``; each try stores the URL under the key."""
    start_trigger: dict[str, Any] | None = None
    """``start_from_trigger``: the trigger the task defers on without a worker (``classpath``,
    ``kwargs`` and ``next_kwargs`` as serde JSON, ``next_method``, ``timeout`` in seconds);
    None for a task that starts on a worker."""

    @property
    def is_mapped(self) -> bool:
        return self.mapped is not None


@dataclass(frozen=True)
class SerializedDag:
    dag_id: str
    fileloc: str
    timetable: dict[str, Any]
    """Serialized timetable, read back with ``brisa.timetables.timetable_from_dict``."""
    tasks: dict[str, SerializedTask]
    schedule_summary: str = "None"
    start_date: datetime | None = None
    end_date: datetime | None = None
    catchup: bool = False
    generation: str = "2"
    """Which Airflow's meaning the DAG gets: ``"2"`` (1.10 and 2.x) or ``"3"``."""
    generation_reason: str = ""
    timezone: str = "UTC"
    max_active_runs: int = 16
    max_active_tasks: int = 16
    max_consecutive_failed_dag_runs: int = 0
    dagrun_timeout: float | None = None
    is_paused_upon_creation: bool | None = None
    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    description: str | None = None
    doc_md: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    """``{name: {"value": default, "schema": {...}, "description": str | None}}``."""
    has_on_success_callback: bool = False
    has_on_failure_callback: bool = False
    render_template_as_native_obj: bool = False
    task_groups: dict[str, Any] = field(default_factory=dict)
    """``{group_id: {"parent": group_id | None, "tooltip": str, "children": [ids]}}``."""
    edge_labels: dict[str, str] = field(default_factory=dict)
    """``{"upstream_id>>downstream_id": label}``."""
    relative_fileloc: str = ""
    is_subdag: bool = False
    """A ``SubDagOperator``'s sub-DAG: its runs are created only by that operator."""
    parent_dag_id: str | None = None

    # -- reading --------------------------------------------------------------
    def task(self, task_id: str) -> SerializedTask:
        return self.tasks[task_id]

    @property
    def asset_condition(self) -> dict[str, Any] | None:
        """The asset condition the DAG is scheduled on, None when it has none."""
        if self.timetable.get("type") in ASSET_TIMETABLES:
            return self.timetable.get("condition")
        return None

    @property
    def is_partitioned_consumer(self) -> bool:
        """Scheduled with ``PartitionedAssetTimetable``: one run per partition key."""
        return self.timetable.get("type") == "PartitionedAssetTimetable"

    @property
    def roots(self) -> list[SerializedTask]:
        return [t for t in self.tasks.values() if not t.upstream]

    def task_ids_in_group(self, group_id: str) -> list[str] | None:
        """The tasks of a task group and of the groups nested in it; None without such a group."""
        if group_id not in self.task_groups:
            return None
        return [t.task_id for t in self.tasks.values() if self._is_within(t.task_group, group_id)]

    def _is_within(self, group: str | None, ancestor: str) -> bool:
        seen: set[str] = set()
        while group is not None and group not in seen:
            if group == ancestor:
                return True
            seen.add(group)
            group = (self.task_groups.get(group) or {}).get("parent")
        return False

    # -- the JSON form ---------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "tasks"}
        data["tasks"] = [_task_to_dict(t) for t in self.tasks.values()]
        data["format"] = FORMAT_VERSION
        jsonable: dict[str, Any] = _jsonable(data)
        return jsonable

    def to_json(self) -> str:
        return self._json

    @cached_property
    def _json(self) -> str:
        # Once per DAG: the hash and the stored row both need it, and to_dict's dataclass
        # walk is most of what writing a parsed DAG costs.
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @cached_property
    def hash(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:32]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SerializedDag:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["tasks"] = {t["task_id"]: _task_from_dict(t) for t in data["tasks"]}
        for key in ("start_date", "end_date"):
            if kwargs.get(key):
                kwargs[key] = datetime.fromisoformat(kwargs[key])
        for key in ("tags", "owners"):
            kwargs[key] = tuple(kwargs.get(key) or ())
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> SerializedDag:
        return cls.from_dict(json.loads(text))


def _task_to_dict(task: SerializedTask) -> dict[str, Any]:
    # Shallow: _jsonable rebuilds every value anyway, and asdict's deep copy of each
    # field was most of the cost of storing a parsed DAG.
    data = {f.name: getattr(task, f.name) for f in _TASK_FIELDS}
    for key in ("outlets", "inlets", "extra_links"):  # absent when empty: older DAGs keep their hash
        if not data[key]:
            data.pop(key)
    if task.start_trigger is None:  # absent when unset: older DAGs keep their hash
        data.pop("start_trigger")
    if task.mapped is None:
        data.pop("mapped")
    else:
        data["mapped"] = asdict(task.mapped)
        if task.mapped.group is None:
            data["mapped"].pop("group")
    return data


_TASK_FIELDS = fields(SerializedTask)


def _task_from_dict(data: dict[str, Any]) -> SerializedTask:
    known = {f.name for f in fields(SerializedTask)}
    kwargs = {k: v for k, v in data.items() if k in known}
    for key in ("upstream", "downstream", "email", "template_fields", "outlets", "inlets"):
        kwargs[key] = tuple(kwargs.get(key) or ())
    mapped = kwargs.get("mapped")
    if mapped:
        kwargs["mapped"] = MappedSpec(
            kind=mapped["kind"],
            inputs=tuple(MappedInput.from_dict(i) for i in mapped["inputs"]),
            group=mapped.get("group"),
        )
    return SerializedTask(**kwargs)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if hasattr(value, "__dataclass_fields__"):
        return _jsonable(asdict(value))
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


__all__ = ["FORMAT_VERSION", "MappedInput", "MappedSpec", "SerializedDag", "SerializedTask"]
