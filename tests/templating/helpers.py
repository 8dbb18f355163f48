"""Small fakes of what the task runner passes to ``build_context`` (no dependency on brisa.sdk)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pendulum

from brisa.timetables import DataInterval, TimeRestriction, Timetable, timetable_for


def utc(*args: int) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="UTC")


class FakeRuntime:
    """Answers ``get_variable`` / ``get_connection`` from dicts and records what was asked."""

    def __init__(self, variables: dict[str, str] | None = None, connections: dict[str, dict] | None = None):
        self.variables = variables or {}
        self.connections = connections or {}
        self.asked: list[str] = []

    def get_variable(self, key: str) -> str | None:
        self.asked.append(f"var:{key}")
        return self.variables.get(key)

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        self.asked.append(f"conn:{conn_id}")
        return self.connections.get(conn_id)


@dataclass
class FakeDag:
    dag_id: str
    timetable: Timetable
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeTask:
    task_id: str
    params: dict[str, Any] = field(default_factory=dict)
    map_index_template: str | None = None


@dataclass
class FakeDagRun:
    run_id: str
    run_type: str
    logical_date: dt.datetime | None
    data_interval_start: dt.datetime | None
    data_interval_end: dt.datetime | None
    conf: dict[str, Any] = field(default_factory=dict)
    external_trigger: bool = False
    start_date: dt.datetime | None = None
    partition_key: str | None = None
    partition_date: dt.datetime | None = None


@dataclass
class FakeTI:
    task_id: str
    dag_id: str
    run_id: str
    try_number: int = 1
    map_index: int = -1

    def xcom_pull(self, task_ids: str | None = None, key: str = "return_value") -> Any:
        return f"xcom from {task_ids}"


def scheduled_run(dag: FakeDag, logical_date: pendulum.DateTime, *, generation: str) -> FakeDagRun:
    """The run the scheduler would create at ``logical_date`` for ``dag``'s timetable."""
    info = dag.timetable.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(logical_date, None, True),
        now=utc(2100, 1, 1),
    )
    assert info.logical_date == logical_date, "pick a logical date on the schedule"
    stamp = (info.run_after if generation == "3" else info.logical_date).isoformat()
    interval: DataInterval = info.data_interval
    return FakeDagRun(
        run_id=f"scheduled__{stamp}",
        run_type="scheduled",
        logical_date=info.logical_date,
        data_interval_start=interval.start,
        data_interval_end=interval.end,
    )


def tutorial_dag(generation: str) -> FakeDag:
    return FakeDag(
        dag_id="tutorial",
        timetable=timetable_for(dt.timedelta(days=1), generation=generation),
        params={"my_param": "Parameter I passed in"},
    )
