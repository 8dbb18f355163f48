"""Asset watchers (Airflow 3's ``AssetWatcher``) through the real scheduler and triggerer:
an event of the watcher's trigger is an asset event that starts the consumer DAG; the
watcher runs only while an active, unpaused DAG is scheduled on the asset."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from brisa.states import RunState
from brisa.testing import FakeClock
from brisa.triggerer.loop import Triggerer, TriggererConfig
from tests.assets.test_end_to_end import _load, _scheduler, _ticks
from tests.waiting import wait_until

TRIGGER_MODULE = '''
import asyncio
import os

from airflow.triggers.base import BaseEventTrigger, TriggerEvent


class FileEventTrigger(BaseEventTrigger):
    """Fires when the file exists, and deletes it (as the standard FileDeleteTrigger)."""

    def __init__(self, filepath, token="", poke_interval=0.01):
        super().__init__()
        self.filepath, self.token, self.poke_interval = filepath, token, poke_interval

    def serialize(self):
        kwargs = {"filepath": self.filepath, "token": self.token, "poke_interval": self.poke_interval}
        return "watchtrig.FileEventTrigger", kwargs

    async def run(self):
        while not os.path.exists(self.filepath):
            await asyncio.sleep(self.poke_interval)
        with open(self.filepath) as f:
            body = f.read()
        os.remove(self.filepath)
        yield TriggerEvent({"body": body})
'''

DAGS = """
import json
from pathlib import Path
from airflow.sdk import DAG, Asset, AssetWatcher, task
from watchtrig import FileEventTrigger

HERE = Path(__file__).parent
trigger = FileEventTrigger(str(HERE / "drop.txt"), token="s3cr3t-t0ken")
watched = Asset("incoming", watchers=[AssetWatcher(name="drop", trigger=trigger)])

with DAG("consumer", schedule=[watched]):
    @task
    def consume(*, triggering_asset_events):
        (HERE / "seen.json").write_text(json.dumps([e.extra for e in triggering_asset_events[watched]]))
    consume()
"""


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "watchtrig.py").write_text(TRIGGER_MODULE)
    (tmp_path / "watched.py").write_text(DAGS)
    sys.path.insert(0, str(tmp_path))  # the DAG file imports the trigger's module
    yield tmp_path
    sys.path.remove(str(tmp_path))
    sys.modules.pop("watchtrig", None)


@pytest.fixture
def triggerers() -> Iterator[list[Triggerer]]:
    made: list[Triggerer] = []
    yield made
    for t in made:
        t.runner.stop()


def _triggerer(store, clock, made, folder) -> Triggerer:
    t = Triggerer(store, config=TriggererConfig(), clock=clock, hostname="h", import_paths=[str(folder)])
    t.start()
    made.append(t)
    return t


def _events(store) -> int:
    with store.transaction(readonly=True) as tx:
        return tx.assets.events(limit=100)[1]


def _fire(store, t: Triggerer, clock, folder: Path, body: str) -> None:
    """Drop the file, then tick the triggerer until the watcher's event is written."""
    before = _events(store)
    (folder / "drop.tmp").write_text(body)
    (folder / "drop.tmp").rename(folder / "drop.txt")  # whole: the trigger never reads it half-written

    def written() -> bool:
        t.wait(0.05)
        t.tick(clock())
        return _events(store) > before

    wait_until(written, timeout=30.0, what=f"the watcher's event {body!r}")


def _runs(store, dag_id: str):
    with store.transaction(readonly=True) as tx:
        return tx.runs.list(dag_id).items


def test_a_watcher_event_starts_the_consumer_with_the_payload_as_extra(store, folder, triggerers):
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    _load(store, folder / "watched.py", clock)
    scheduler = _scheduler(store, clock)
    t = _triggerer(store, clock, triggerers, folder)
    t.tick(clock())
    assert len(t.runner.running) == 1
    _fire(store, t, clock, folder, "first")
    _ticks(scheduler, clock)
    (run,) = _runs(store, "consumer")
    assert (run.run_type, run.state) == ("asset_triggered", RunState.SUCCESS)
    assert (folder / "seen.json").read_text() == '[{"from_trigger": true, "payload": {"body": "first"}}]'
    # the trigger's run() ended: the triggerer starts it again, and it fires again
    _fire(store, t, clock, folder, "second")
    _ticks(scheduler, clock)
    assert len(_runs(store, "consumer")) == 2


def test_one_of_two_triggerers_runs_the_watcher_and_the_other_takes_it_after_a_stop(
    store, folder, triggerers
):
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    _load(store, folder / "watched.py", clock)
    a = _triggerer(store, clock, triggerers, folder)
    b = _triggerer(store, clock, triggerers, folder)
    a.tick(clock())
    b.tick(clock())
    assert (len(a.runner.running), len(b.runner.running)) == (1, 0)
    a.stop()  # a restart: the trigger is re-created from its row by the next triggerer
    b.tick(clock())
    assert len(b.runner.running) == 1


def test_the_watcher_stops_when_no_unpaused_dag_is_scheduled_on_the_asset(store, folder, triggerers):
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    _load(store, folder / "watched.py", clock)
    t = _triggerer(store, clock, triggerers, folder)
    t.tick(clock())
    with store.transaction() as tx:
        tx.dags.set_paused("consumer", True)
    t.tick(clock())
    assert t.runner.running == set()
    with store.transaction() as tx:
        tx.dags.set_paused("consumer", False)
    t.tick(clock())
    assert len(t.runner.running) == 1
    with store.transaction() as tx:
        tx.dags.delete("consumer")
    t.tick(clock())
    assert t.runner.running == set()
    with store.transaction(readonly=True) as tx:
        assert tx.triggers.waiting() == [] and tx.triggers.sealed() == []


def test_a_changed_watcher_replaces_the_old_trigger(store, folder, triggerers):
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    _load(store, folder / "watched.py", clock)
    with store.transaction(readonly=True) as tx:
        (old,) = [w.trigger_id for w in tx.triggers.waiting()]
    (folder / "watched.py").write_text(
        DAGS.replace('name="drop"', 'name="drop2"').replace("drop.txt", "other.txt")
    )
    _load(store, folder / "watched.py", clock)
    _load(store, folder / "watched.py", clock)  # the same definition again keeps its trigger
    with store.transaction(readonly=True) as tx:
        (new,) = [w.trigger_id for w in tx.triggers.waiting()]
        (asset,) = tx.assets.find_by(name="incoming")
        ((name, trigger),) = tx.triggers.watchers_of([asset.id])[asset.id]
    assert new != old and name == "drop2" and "other.txt" in trigger.kwargs
