"""The scheduler's side of custom timetables: rebuilt from the plugins it loaded (Airflow
2.2+ and 3.x), the DAG's runs placed by the plugin's code, clock by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from brisa.cli.wiring import child_entry_points
from brisa.process.pool import ProcessPool
from brisa.runner.entrypoints import PRELOAD
from brisa.scheduler.processor import DagProcessor, ProcessorConfig
from brisa.services.dags import refresh_next_run
from brisa.store import migrate
from brisa.store.sql import Store
from brisa.testing import FakeClock, make_dag
from tests.plugins.helpers import plugins_folder
from tests.scheduler.test_loop import _scheduler

WORKWEEK = {"type": "plugin", "class": "workweek.WorkweekTimetable", "value": {"hour_offset": 0}}
THURSDAY = datetime(2025, 12, 4, tzinfo=UTC)
GOOD = """
from datetime import datetime
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG("good", start_date=datetime(2024, 1, 1), schedule="@daily"):
    EmptyOperator(task_id="t")
"""


def _add(store, dag, now):
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=now)


def _logical_dates(store, dag_id):
    with store.transaction(readonly=True) as tx:
        return [r.logical_date for r in tx.runs.list(dag_id, order_by="logical_date").items]


def test_the_scheduler_creates_the_runs_a_plugin_timetable_places(store, tmp_path):
    clock = FakeClock()
    dag = make_dag(
        "workweek",
        {"a": []},
        timetable=WORKWEEK,
        start_date=THURSDAY,
        end_date=THURSDAY + timedelta(days=6),
        catchup=True,  # the plugin reads the wall clock only without catchup
    )
    with plugins_folder(tmp_path / "plugins"):
        _add(store, dag, clock())
        with store.transaction() as tx:
            refresh_next_run(tx, dag, now=clock())
            assert tx.dags.require("workweek").next_dagrun == THURSDAY
        scheduler, _ = _scheduler(store, clock)
        scheduler.tick(clock())
    days = [THURSDAY + timedelta(days=n) for n in (0, 1, 4, 5, 6)]  # Thursday to Wednesday, no weekend
    assert _logical_dates(store, "workweek") == days


def test_a_timetable_that_fails_holds_up_only_its_own_dag(store, tmp_path):
    clock = FakeClock()
    gone = make_dag("gone", {"a": []}, timetable=WORKWEEK, start_date=THURSDAY)  # its plugin was removed
    daily = make_dag(
        "daily",
        {"a": []},
        timetable={"type": "DeltaDataIntervalTimetable", "delta": 86400.0},
        start_date=clock.now - timedelta(days=2),
        catchup=True,
    )
    with plugins_folder(tmp_path / "plugins", with_workweek=False):
        for dag in (gone, daily):
            _add(store, dag, clock())
        with store.transaction() as tx:
            refresh_next_run(tx, daily, now=clock())
            tx.dags.set_next_run(
                "gone", logical_date=THURSDAY, interval_start=None, interval_end=None, create_after=THURSDAY
            )
        scheduler, _ = _scheduler(store, clock)
        scheduler.tick(clock())
    assert _logical_dates(store, "gone") == []
    assert len(_logical_dates(store, "daily")) == 2


BROKEN_PLUGIN = """
from airflow.plugins_manager import AirflowPlugin
from airflow.timetables.base import Timetable


class Broken(Timetable):
    def infer_manual_data_interval(self, *, run_after):
        raise RuntimeError("no manual runs")

    def next_dagrun_info(self, *, last_automated_data_interval, restriction):
        raise RuntimeError("this timetable always fails")


class BrokenPlugin(AirflowPlugin):
    name = "broken"
    timetables = [Broken]
"""

USES_BROKEN = """
from datetime import datetime
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from broken import Broken

with DAG("uses_broken", start_date=datetime(2024, 1, 1), timetable=Broken()):
    EmptyOperator(task_id="t")
"""


@pytest.mark.slow
def test_the_dag_processor_stores_a_dag_whose_timetable_fails_without_a_next_run(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    migrate.upgrade(store)
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "uses_broken.py").write_text(USES_BROKEN)
    (dags / "good.py").write_text(GOOD)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "broken.py").write_text(BROKEN_PLUGIN)
    with plugins_folder(plugins, with_workweek=False):
        pool = ProcessPool(child_entry_points(), preload=PRELOAD)  # its children inherit the plugins folder
        pool.start()
        try:
            config = ProcessorConfig(folders=(dags,), parse_timeout=5.0, paused_at_creation=False)
            DagProcessor(store, pool, config, clock=lambda: datetime.now(UTC)).parse_all()
        finally:
            pool.stop()
    with store.transaction(readonly=True) as tx:
        assert tx.dags.import_errors().items == []
        assert tx.dags.require("uses_broken").next_dagrun is None
        assert tx.dags.require("good").next_dagrun is not None  # the other file is not held up
    store.dispose()
