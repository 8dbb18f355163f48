"""An asset event written by another process (``POST /api/v2/assets/events``, ``brisa
assets materialize``, a triggerer's watcher) wakes an idle scheduler at once: the consumer
run is created at the tick that wake starts, not at the next periodic look."""

from __future__ import annotations

import threading

import pytest

from brisa.assets.events import register_asset_change
from brisa.executors.base import ExecutorEvent
from brisa.scheduler.loop import Scheduler, SchedulerConfig
from brisa.sdk.assets import Asset
from brisa.store.changes import ChangeWatch
from brisa.store.sql import Store
from brisa.testing import make_dag
from tests.api.helpers import add_dag
from tests.executors.helpers import CapturingExecutor, utcnow
from tests.store.test_change_watch import ON_DISK, _settle
from tests.waiting import wait_until

A = Asset("orders", uri="s3://lake/orders")
IDLE_SECONDS = 3600.0
"""The periodic look, set far beyond any wait below: only a wake can create the run."""


class WakeableExecutor(CapturingExecutor):
    """Runs nothing; ``poll`` waits until ``wake`` like a real executor's."""

    def __init__(self) -> None:
        super().__init__()
        self._woken = threading.Event()
        self.idle = threading.Event()
        """Set while the scheduler waits in ``poll`` for longer than a moment."""

    def poll(self, timeout: float = 0.0) -> list[ExecutorEvent]:
        if timeout > 1.0:
            self.idle.set()
        self._woken.wait(timeout)
        self._woken.clear()
        return []

    def wake(self) -> None:
        self._woken.set()


@pytest.fixture
def other(store):
    """A second Store on the same database: the API server's or CLI's process."""
    second = Store(store.url)
    yield second
    second.dispose()


def _consumer_runs(store: Store) -> list[str]:
    with store.transaction(readonly=True) as tx:
        return [r.run_id for r in tx.runs.list(dag_id="report").items]


@ON_DISK
def test_an_asset_event_from_another_process_wakes_the_scheduler(store, other):
    consumer = make_dag(
        "report", {"t": []}, timetable={"type": "AssetTriggeredTimetable", "condition": A.as_condition()}
    )
    add_dag(store, utcnow(), consumer)
    executor = WakeableExecutor()
    config = SchedulerConfig(idle_seconds=IDLE_SECONDS)
    scheduler = Scheduler(store, executor, config=config, clock=utcnow, hostname="h")
    watch = ChangeWatch(store.engine, executor.wake)
    watch.start()
    thread = threading.Thread(target=scheduler.run_forever, daemon=True)
    thread.start()
    try:
        _settle(watch)
        wait_until(executor.idle.is_set, timeout=30, what="the scheduler to go idle")
        assert _consumer_runs(store) == []
        with other.transaction() as tx:
            register_asset_change(tx, tx.assets.find(*A.key).id, now=utcnow(), extra={"from_rest_api": True})
        runs = wait_until(lambda: _consumer_runs(store), timeout=30, what="the consumer run")
        assert len(runs) == 1
    finally:
        scheduler.request_stop()
        thread.join(timeout=30)
        watch.stop()
        scheduler.end_job()
    assert not thread.is_alive()
