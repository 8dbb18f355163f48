"""The triggerer's shell with its real asyncio runner, on a store shared by two triggerers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from brisa import serde
from brisa.states import TaskState
from brisa.store.records import TaskKey
from brisa.testing import FakeClock, memory_store
from brisa.tries.deferral import resume_of
from brisa.triggerer.loop import Triggerer, TriggererConfig

NOW = datetime(2026, 1, 1, tzinfo=UTC)
FUTURE = datetime(2099, 1, 1, tzinfo=UTC)
PAST = datetime(2000, 1, 1, tzinfo=UTC)
TEMPORAL = "airflow.providers.standard.triggers.temporal.DateTimeTrigger"


@pytest.fixture
def store():
    return memory_store()


@pytest.fixture
def started() -> Iterator[list[Triggerer]]:
    triggerers: list[Triggerer] = []
    yield triggerers
    for triggerer in triggerers:
        triggerer.runner.stop()


def deferred(store, task_id: str, classpath: str = TEMPORAL, moment: datetime = FUTURE) -> TaskKey:
    with store.transaction() as tx:
        trigger_id = tx.triggers.create(classpath, serde.dumps({"moment": moment}), now=NOW)
        row = {
            "dag_id": "d",
            "run_id": "r",
            "task_id": task_id,
            "state": "deferred",
            "trigger_id": trigger_id,
        }
        tx.tis.create_many([{**row, "next_method": "execute_complete", "next_kwargs": "{}"}], now=NOW)
    return TaskKey("d", "r", task_id)


def triggerer(store, clock, started, *, capacity: int, **kwargs) -> Triggerer:
    config = TriggererConfig(capacity=capacity, health_check_threshold=30.0)
    made = Triggerer(store, config=config, clock=clock, hostname="h", **kwargs)
    made.start()
    started.append(made)
    return made


def owned(store, t: Triggerer) -> set[int]:
    with store.transaction(readonly=True) as tx:
        return set(tx.triggers.owned_by(t.job_id))


def test_triggerers_share_the_triggers_and_take_over_a_dead_ones(store, started):
    for i in range(4):
        deferred(store, f"t{i}")
    clock = FakeClock(NOW)
    a = triggerer(store, clock, started, capacity=2)
    b = triggerer(store, clock, started, capacity=4)
    a.tick(clock())
    b.tick(clock())
    assert len(owned(store, a)) == 2 and len(owned(store, b)) == 2
    assert a.runner.running == owned(store, a) and b.runner.running == owned(store, b)
    clock.advance(10)
    b.tick(clock())
    assert len(owned(store, b)) == 2  # a is alive: its triggers stay its own
    clock.advance(25)  # a stopped heartbeating 35 s ago (killed): b re-creates its triggers
    b.tick(clock())
    assert len(owned(store, b)) == 4 and b.runner.running == owned(store, b)


def test_a_stopping_triggerer_gives_its_triggers_back_at_once(store, started):
    deferred(store, "t")
    clock = FakeClock(NOW)
    a = triggerer(store, clock, started, capacity=5)
    a.tick(clock())
    a.stop()
    b = triggerer(store, clock, started, capacity=5)
    b.tick(clock())
    assert len(owned(store, b)) == 1


def test_a_fired_trigger_resumes_its_try_and_wakes_the_scheduler(store, started):
    key = deferred(store, "t", moment=PAST)
    woken = []
    clock = FakeClock(NOW)
    t = triggerer(store, clock, started, capacity=5, on_change=lambda: woken.append(1))
    t.tick(clock())
    t.wait(30.0)  # returns as soon as the trigger fired
    t.tick(clock())
    with store.transaction(readonly=True) as tx:
        ti = tx.tis.get(key)
        assert tx.triggers.waiting() == []
    assert ti.state == TaskState.SCHEDULED and woken == [1]
    assert resume_of(ti) == ("execute_complete", {"event": PAST})
    t.tick(clock())
    assert t.runner.running == set()


def test_a_trigger_that_cannot_be_created_fails_its_try(store, started):
    key = deferred(store, "t", classpath="nowhere.Missing")
    clock = FakeClock(NOW)
    t = triggerer(store, clock, started, capacity=5)
    t.tick(clock())
    t.wait(30.0)
    t.tick(clock())
    with store.transaction(readonly=True) as tx:
        method, kwargs = resume_of(tx.tis.get(key))
    assert method == "__fail__" and kwargs["error"] == "Trigger failure"
    assert "No module named 'nowhere'" in kwargs["traceback"][0]


def test_an_event_the_database_could_not_take_is_written_at_the_next_tick(store, started, monkeypatch):
    from brisa.errors import StoreUnavailable
    from brisa.triggerer import events

    key = deferred(store, "t", moment=PAST)
    clock = FakeClock(NOW)
    t = triggerer(store, clock, started, capacity=5)
    t.tick(clock())
    t.wait(30.0)
    submit = events.submit_event

    def unavailable(*args, **kwargs):
        raise StoreUnavailable("the database went away")

    monkeypatch.setattr(events, "submit_event", unavailable)
    with pytest.raises(StoreUnavailable):
        t.tick(clock())
    monkeypatch.setattr(events, "submit_event", submit)
    t.tick(clock())
    with store.transaction(readonly=True) as tx:
        assert tx.tis.get(key).state == TaskState.SCHEDULED


def test_a_triggerer_with_nothing_to_do_reads_once_and_takes_no_write_lock(store, started):
    """With no trigger and no deferred try, a sync is one read: it runs every second beside
    a scheduler that wants the write lock. A try that defers is claimed at the next one."""
    import sqlalchemy as sa

    clock = FakeClock(NOW)
    t = triggerer(store, clock, started, capacity=10)
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    clock.advance(seconds=1)
    t.tick(clock())
    assert len(statements) == 2  # BEGIN, then the one read
    assert not any(s.startswith(("BEGIN IMMEDIATE", "DELETE", "UPDATE", "INSERT")) for s in statements)
    deferred(store, "a")
    t.tick(clock())
    assert owned(store, t) == {_trigger_of(store, "a")}


def _trigger_of(store, task_id: str) -> int:
    with store.transaction(readonly=True) as tx:
        (ti,) = [ti for ti in tx.tis.for_run("d", "r") if ti.task_id == task_id]
        return ti.trigger_id
