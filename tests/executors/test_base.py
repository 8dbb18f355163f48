"""The workload handed to a task process: encoded without recursion into the run's conf."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from brisa.executors.base import MAX_CONF_BYTES, RunContext, Workload
from brisa.store.records import TaskKey

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def _context(conf: dict) -> RunContext:
    return RunContext("r", "manual", NOW, NOW, NOW, NOW, None, conf)


def _nested(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels):
        value = {"a": value}
    return value


def test_a_deep_conf_is_handed_over_whole_without_recursion() -> None:
    workload = Workload(TaskKey("d", "r", "t", -1), 1, 0, "/dags/d.py", _context(_nested(700)))
    data = json.loads(json.dumps(workload.to_dict()))
    assert Workload.from_dict(data) == workload
    assert workload.run.handoff_problem() is None


def test_a_conf_no_task_process_can_take_is_named() -> None:
    too_deep = _context(_nested(100_000)).handoff_problem()
    assert too_deep is not None and "RecursionError" in too_deep
    too_big = _context({"x": "y" * MAX_CONF_BYTES}).handoff_problem()
    assert too_big is not None and "a task process takes at most" in too_big
