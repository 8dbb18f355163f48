"""The supervisor's bookkeeping of one try, without processes (output fed by hand)."""

from datetime import UTC, datetime

import pytest

from brisa.runner.store_runtime import StoreRuntime
from brisa.runner.supervisor import Ending, TrySupervisor, claim_tries
from brisa.secrets.masking import SecretsMasker
from brisa.serde import dumps, loads
from brisa.services.run_actions import ServiceActions
from brisa.services.runs import trigger_run
from brisa.states import TaskState, advance_ti
from brisa.store.records import TaskKey
from brisa.testing import FakeClock, make_dag
from brisa.tries.outcome import Outcome
from brisa.tries.retry import RetryPolicy
from brisa.tries.workload import RunContext, Workload

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class _NoSecrets:
    def get_variable(self, key):
        return None

    def get_connection(self, conn_id):
        return None

    def set_variable(self, key, value, description=None):
        raise AssertionError

    def delete_variable(self, key):
        raise AssertionError


@pytest.fixture
def running(memory_store):
    """A try claimed (running) in a memory store, and a supervisor for it."""
    clock = FakeClock(T0)
    dag = make_dag("d", {"t": []}, task_options={"t": {"retries": 1, "retry_delay": 60.0}})
    with memory_store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=T0)
        run = trigger_run(tx, dag, now=T0)
        key = TaskKey("d", run.run_id, "t")
        advance_ti(tx, key, None, TaskState.SCHEDULED)
        advance_ti(tx, key, TaskState.SCHEDULED, TaskState.QUEUED, try_number=1)
    workload = Workload(
        key=key,
        try_number=1,
        max_tries=1,
        fileloc="/dags/d.py",
        run=RunContext(
            run_id=run.run_id,
            run_type="manual",
            logical_date=T0,
            data_interval_start=T0,
            data_interval_end=T0,
            run_after=T0,
            start_date=T0,
            conf={},
        ),
        retry=RetryPolicy(retry_delay=60.0),
    )
    assert claim_tries(memory_store, [workload], now=T0, hostname="h", job_id=None)

    def make(max_log_bytes=0):
        masker = SecretsMasker()
        runtime = StoreRuntime(
            memory_store, key, secrets=_NoSecrets(), masker=masker, clock=clock, actions=ServiceActions()
        )
        events = []

        def record_end(write, event):
            with memory_store.transaction() as tx:
                committed = write(tx)
            committed()
            events.append(event)

        supervisor = TrySupervisor(
            workload,
            store=memory_store,
            runtime=runtime,
            masker=masker,
            clock=clock,
            monotonic=lambda: 0.0,
            record_end=record_end,
            max_log_bytes=max_log_bytes,
        )
        supervisor.pid = 4242
        return supervisor, events

    return memory_store, key, make


def _state_and_log(store, key):
    with store.transaction(readonly=True) as tx:
        return tx.tis.require(key), tx.logs.read(key, 1)[0]


def test_lines_are_stored_masked_with_the_outcome_and_xcoms(running):
    store, key, make = running
    supervisor, events = make()
    supervisor.on_request("mask_secret", {"value": "hunter2-secret"})
    supervisor.on_output(b"hello\npassword is hunter2-secret\npartial")
    supervisor.on_request("xcom_push", {"key": "return_value", "value": [1, 2]})
    supervisor.on_request("done", {"outcome": Outcome(TaskState.SUCCESS, T0).to_dict()})
    supervisor.on_exit(0)
    ti, log = _state_and_log(store, key)
    assert ti.state == TaskState.SUCCESS
    assert ti.pid == 4242
    assert "] hello\n" in log and "password is ***" in log and log.rstrip().endswith("partial")
    assert "hunter2" not in log
    with store.transaction(readonly=True) as tx:
        assert tx.xcoms.pull(dag_id="d", run_id=key.run_id, task_ids=["t"])[0].value == [1, 2]
        assert [t.state for t in tx.tis.tries(key)] == ["success"]
    assert events[0].state == "success"


def test_the_runs_task_instances_are_answered_from_the_store(running):
    # dag_run.get_task_instances() in a task process; the reply crosses the socket as JSON.
    _, key, make = running
    supervisor, _ = make()
    rows = supervisor.on_request(
        "get_task_instances", {"dag_id": "d", "run_id": key.run_id, "states": ["running"]}
    )
    assert loads(dumps(rows)) == rows
    (row,) = rows
    assert (row["task_id"], row["state"], row["try_number"], row["hostname"]) == ("t", "running", 1, "h")
    assert row["start_date"] == T0 and row["end_date"] is None and row["map_index"] == -1
    args = {"dag_id": "d", "run_id": key.run_id, "task_id": "t", "map_index": 0}
    assert supervisor.on_request("get_task_instance", args) is None
    assert supervisor.on_request("get_task_instance", {**args, "map_index": -1}) == row
    assert (
        supervisor.on_request("get_task_instances", {"dag_id": "d", "run_id": key.run_id, "states": [None]})
        == []
    )


def test_a_process_that_dies_without_reporting_is_retried_per_its_retries(running):
    store, key, make = running
    supervisor, _ = make()
    supervisor.on_output(b"working...\n")
    supervisor.on_exit(-11)
    ti, log = _state_and_log(store, key)
    assert ti.state == TaskState.UP_FOR_RETRY
    assert ti.next_try_at is not None
    assert "SIGSEGV" in log


def test_a_huge_log_keeps_its_beginning_and_its_last_lines(running):
    store, key, make = running
    supervisor, _ = make(max_log_bytes=10_000)
    for i in range(20_000):
        supervisor.on_output(f"line {i}\n".encode())
    supervisor.on_request("done", {"outcome": Outcome(TaskState.SUCCESS, T0).to_dict()})
    supervisor.on_exit(0)
    _, log = _state_and_log(store, key)
    assert "line 0\n" in log
    assert "log truncated" in log
    assert "bytes of log skipped" in log
    assert log.rstrip().endswith("line 19999")
    assert len(log) < 400_000  # the whole log would be ~840 KB


def test_a_try_changed_from_outside_is_left_as_it_is(running):
    store, key, make = running
    supervisor, events = make()
    with store.transaction() as tx:
        advance_ti(tx, key, TaskState.RUNNING, TaskState.SUCCESS)  # marked by a user
    supervisor.end(Ending.EXTERNAL)
    supervisor.on_exit(-15)
    ti, _ = _state_and_log(store, key)
    assert ti.state == TaskState.SUCCESS
    assert events[0].state is None


def test_shutdown_sends_the_try_back_without_using_a_retry(running):
    store, key, make = running
    supervisor, _ = make()
    supervisor.end(Ending.SHUTDOWN)
    supervisor.on_exit(-15)
    ti, log = _state_and_log(store, key)
    assert ti.state == TaskState.UP_FOR_RETRY
    assert ti.max_tries == 2
    assert "shutdown" in log
