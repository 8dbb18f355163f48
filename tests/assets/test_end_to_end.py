"""Real DAG files of both generations: a producer's success emits events (with the extra
its outlet_events and Metadata yields set), the scheduler starts the consumer, whose
context sees the triggering events and the inlet events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from brisa.executors.inline import InlineExecutor
from brisa.loader import parse_file
from brisa.runner.store_runtime import StoreRuntime
from brisa.runner.task_runner import run_try
from brisa.scheduler.loop import Scheduler, SchedulerConfig
from brisa.services.dags import refresh_next_run
from brisa.services.run_actions import ServiceActions
from brisa.services.runs import trigger_run
from brisa.states import RunState
from brisa.testing import FakeClock
from tests.runner.test_task_runner import _Masker, _Secrets

AIRFLOW_2 = """
import json
from pathlib import Path
import pendulum
from airflow import DAG
from airflow.datasets import Dataset
from airflow.datasets.metadata import Metadata
from airflow.decorators import task

OUT = Path(__file__).with_name("seen2.json")
ds = Dataset("s3://bucket/out/")
with DAG("producer2", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), schedule=None):
    @task(outlets=[ds])
    def produce(*, outlet_events):
        outlet_events[ds].extra["rows"] = 3
        yield Metadata(ds, {"by": "metadata"})
        return "done"
    produce()

with DAG("consumer2", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), schedule=[ds]):
    @task
    def consume(*, triggering_dataset_events, data_interval_start, dag_run):
        OUT.write_text(json.dumps({
            "uris": sorted(triggering_dataset_events),
            "key_types": sorted({type(k).__name__ for k in triggering_dataset_events}),
            "extra": [e.extra for e in triggering_dataset_events["s3://bucket/out"]],
            "source": [e.source_dag_id for e in triggering_dataset_events[ds]],
            "run_type": dag_run.run_type,
            "has_start": data_interval_start is not None,
        }))
    consume()
"""

AIRFLOW_3 = """
import json
from pathlib import Path
from airflow.sdk import DAG, Asset, AssetAlias, asset, task

OUT = Path(__file__).with_name("seen3.json")


def _str_key(events):
    try:
        events["raw"]
    except TypeError as err:
        return str(err)

raw = Asset("raw", uri="file:///data/raw")

@asset(schedule=None, uri="file:///data/cooked")
def cooked(self, context):
    context["outlet_events"][self].extra["size"] = 10
    return "cooked"

with DAG("aliased", schedule=None):
    @task(outlets=[AssetAlias("picked")])
    def pick(*, outlet_events):
        outlet_events[AssetAlias("picked")].add(raw, extra={"via": "alias"})
    pick()

with DAG("consumer3", schedule=cooked & AssetAlias("picked")):
    @task(inlets=[raw])
    def consume(*, triggering_asset_events, inlet_events, dag_run):
        OUT.write_text(json.dumps({
            "names": sorted(a.name for a in triggering_asset_events),
            "keys": sorted(
                (type(k).__name__, k.name, isinstance(k, (Asset, AssetAlias)))
                for k in triggering_asset_events
            ),
            "by_alias": [e.extra for e in triggering_asset_events[AssetAlias("picked")]],
            "by_ref": len(triggering_asset_events[Asset.ref(name="raw")]),
            "for_asset": len(triggering_asset_events.for_asset(uri="file:///data/cooked")),
            "for_alias": len(triggering_asset_events.for_asset_alias(name="picked")),
            "unknown": triggering_asset_events[Asset("nope")],
            "items": sorted((k.name, len(v)) for k, v in triggering_asset_events.items()),
            "str_key": _str_key(triggering_asset_events),
            "cooked": [e.extra for e in triggering_asset_events[cooked]],
            "raw_inlet": [e.extra for e in inlet_events[raw]],
            "run_type": dag_run.run_type,
            "logical_date": str(dag_run.logical_date),
        }))
    consume()
"""


def _scheduler(store, clock):
    def run_one(workload):
        runtime = StoreRuntime(
            store,
            workload.key,
            secrets=_Secrets(),
            masker=_Masker(),
            clock=lambda: datetime.now(UTC),
            actions=ServiceActions(),
        )
        return run_try(workload, runtime)

    scheduler = Scheduler(
        store, InlineExecutor(store, run_one, clock=clock), config=SchedulerConfig(), clock=clock
    )
    scheduler.start_job()
    return scheduler


def _load(store, path, clock):
    dags = {d.dag_id: d for d in parse_file(str(path), timeout=60).dags}
    with store.transaction() as tx:
        for dag in dags.values():
            tx.dags.upsert(dag, paused_when_new=False, now=clock())
            refresh_next_run(tx, dag, now=clock())
    return dags


def _ticks(scheduler, clock, n=12):
    for _ in range(n):
        scheduler.tick(clock())
        scheduler.handle_events(scheduler.executor.poll())
        clock.advance(1)


def _only_run(store, dag_id):
    with store.transaction(readonly=True) as tx:
        (run,) = tx.runs.list(dag_id).items
    return run


def test_airflow_2_datasets_end_to_end(store, tmp_path: Path):
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    path = tmp_path / "datasets.py"
    path.write_text(AIRFLOW_2)
    dags = _load(store, path, clock)
    scheduler = _scheduler(store, clock)
    with store.transaction() as tx:
        trigger_run(tx, dags["producer2"], now=clock())
    _ticks(scheduler, clock)
    run = _only_run(store, "consumer2")
    assert (run.run_type, run.state) == ("dataset_triggered", RunState.SUCCESS)
    seen = json.loads((tmp_path / "seen2.json").read_text())
    assert seen == {
        "uris": ["s3://bucket/out"],
        "key_types": ["str"],  # Airflow 2's dict is keyed by uri
        "extra": [{"rows": 3, "by": "metadata"}],
        "source": ["producer2"],
        "run_type": "dataset_triggered",
        "has_start": True,
    }


def test_airflow_3_assets_and_aliases_end_to_end(store, tmp_path: Path):
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    path = tmp_path / "assets.py"
    path.write_text(AIRFLOW_3)
    dags = _load(store, path, clock)
    scheduler = _scheduler(store, clock)
    with store.transaction() as tx:
        trigger_run(tx, dags["cooked"], now=clock())
    _ticks(scheduler, clock, n=4)
    with store.transaction(readonly=True) as tx:
        assert tx.runs.list("consumer3").items == []  # the alias has no event yet
    with store.transaction() as tx:
        trigger_run(tx, dags["aliased"], now=clock())
    _ticks(scheduler, clock)
    run = _only_run(store, "consumer3")
    assert (run.run_type, run.logical_date, run.state) == ("asset_triggered", None, RunState.SUCCESS)
    seen = json.loads((tmp_path / "seen3.json").read_text())
    assert seen == {
        # Airflow 3's accessor: Asset keys, and an AssetAlias key for the alias events came through
        "names": ["cooked", "picked", "raw"],
        "keys": [["Asset", "cooked", True], ["Asset", "raw", True], ["AssetAlias", "picked", True]],
        "by_alias": [{"via": "alias"}],
        "by_ref": 1,
        "for_asset": 1,
        "for_alias": 1,
        "unknown": [],
        "items": [["cooked", 1], ["picked", 1], ["raw", 1]],
        "str_key": "Key should be either an asset or an asset alias, not <class 'str'>",
        "cooked": [{"size": 10}],
        "raw_inlet": [{"via": "alias"}],
        "run_type": "asset_triggered",
        "logical_date": "None",
    }
