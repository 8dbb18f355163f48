"""The workload handed to a task process: typed, and encoded without recursion into the run's conf."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from brisa.store.records import TaskKey
from brisa.tries.retry import RetryPolicy
from brisa.tries.workload import MAX_CONF_BYTES, RunContext, Workload

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


def test_the_retry_policy_and_timeout_travel_typed() -> None:
    workload = Workload(
        TaskKey("d", "r", "t", 2),
        1,
        3,
        "/dags/d.py",
        _context({}),
        retry=RetryPolicy(retry_delay=5.0, exponential_backoff=True, max_retry_delay=60.0),
        execution_timeout=30.0,
    )
    decoded = Workload.from_dict(json.loads(json.dumps(workload.to_dict())))
    assert decoded == workload
    assert decoded.retry.max_retry_delay == 60.0 and decoded.execution_timeout == 30.0


def test_a_workload_queued_by_an_older_brisa_keeps_its_retry_settings() -> None:
    data = Workload(TaskKey("d", "r", "t", -1), 1, 3, "/dags/d.py", _context({})).to_dict()
    del data["retry"], data["execution_timeout"]
    data["extra"] = {"retry_delay": 7, "retry_exponential_backoff": True, "execution_timeout": 9.0}
    decoded = Workload.from_dict(data)
    assert decoded.retry == RetryPolicy(retry_delay=7.0, exponential_backoff=True)
    assert decoded.execution_timeout == 9.0


def test_a_resumed_try_carries_its_method_and_kwargs_typed() -> None:
    from brisa.tries.deferral import resume_of

    workload = Workload(
        TaskKey("d", "r", "t", -1),
        1,
        0,
        "/dags/d.py",
        _context({}),
        next_method="execute_complete",
        next_kwargs='{"event": 1}',
    )
    decoded = Workload.from_dict(json.loads(json.dumps(workload.to_dict())))
    assert decoded == workload
    assert resume_of(decoded) == ("execute_complete", {"event": 1})
    assert resume_of(Workload(TaskKey("d", "r", "t", -1), 1, 0, "/dags/d.py", _context({}))) is None


def test_a_deferral_crosses_from_the_task_process_typed() -> None:
    from brisa.states import TaskState
    from brisa.tries.deferral import Deferral
    from brisa.tries.outcome import Outcome

    deferral = Deferral("m.Trigger", '{"a":1}', "resume", "{}", timeout_at=NOW)
    outcome = Outcome(TaskState.DEFERRED, NOW, deferral=deferral)
    assert Outcome.from_dict(json.loads(json.dumps(outcome.to_dict()))) == outcome
