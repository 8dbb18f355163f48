"""Plugins through the real ``brisa scheduler`` and CLI: a custom timetable and a macro.

The plugins folder holds ``tests/fixtures/plugins/workweek.py`` (one run per working
day, a ``shout`` macro). As in Airflow 2.2+ and 3.x, the scheduler rebuilds the DAG's
timetable from the plugin it loaded, and a timetable no plugin registers is an import
error of its DAG file.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from brisa.states import RunState
from brisa.store.records import TaskKey
from tests.e2e.conftest import ON_EVERY_BACKEND
from tests.e2e.deployment import Deployment, deployment

pytestmark = pytest.mark.slow

DAY = timedelta(days=1)
PLUGIN = Path(__file__).resolve().parents[1] / "fixtures" / "plugins" / "workweek.py"

WORKWEEK_DAGS = """
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from workweek import WorkweekTimetable

with DAG("e2e_workweek", start_date=datetime(2024, 1, 4), end_date=datetime(2024, 1, 10),
         timetable=WorkweekTimetable(), catchup=True):
    BashOperator(task_id="hello", bash_command="echo {{ macros.workweek.shout('hello') }} {{ ds }}")

with DAG("e2e_workweek_later", start_date=datetime(2099, 1, 3), timetable=WorkweekTimetable(hour_offset=2),
         catchup=True):
    BashOperator(task_id="hello", bash_command="echo later")
"""

UNREGISTERED_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from workweek import WorkweekTimetable


class MyOwnTimetable(WorkweekTimetable):
    pass


with DAG("e2e_unregistered", start_date=datetime(2024, 1, 4), timetable=MyOwnTimetable()):
    EmptyOperator(task_id="nothing")
"""


@pytest.fixture(scope="module", params=ON_EVERY_BACKEND)
def deployed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    with deployment(tmp_path_factory.mktemp("plugins"), request.param) as deployed:
        plugins = deployed.home / "plugins"  # [core] plugins_folder's default: $BRISA_HOME/plugins
        plugins.mkdir()
        shutil.copy(PLUGIN, plugins)
        deployed.write_dag("workweek_dags.py", WORKWEEK_DAGS)
        deployed.write_dag("unregistered.py", UNREGISTERED_DAG)
        deployed.start_scheduler()
        deployed.wait_for_dags("e2e_workweek", "e2e_workweek_later")
        yield deployed


def at(day: int, hour: int = 0, *, year: int = 2024) -> datetime:
    return datetime(year, 1, day, hour, tzinfo=UTC)


def test_the_scheduler_runs_a_plugin_timetable_on_working_days_only(deployed):
    runs = deployed.wait_for_runs("e2e_workweek", 5)
    assert [r.logical_date for r in runs] == [at(4), at(5), at(8), at(9), at(10)]  # not the weekend
    for run in runs:
        assert run.state == RunState.SUCCESS
        assert run.run_type == "scheduled"
        assert (run.data_interval_start, run.data_interval_end) == (run.logical_date, run.logical_date + DAY)
        assert run.run_after == run.data_interval_end
        log = deployed.log(TaskKey("e2e_workweek", run.run_id, "hello", -1), 1)
        assert f"HELLO! {run.logical_date.date()}" in log  # the plugin's macro
    with deployed.store.transaction(readonly=True) as tx:
        assert tx.dags.require("e2e_workweek").next_dagrun is None  # nothing after the end date


def test_the_next_run_comes_from_the_deserialized_plugin_timetable(deployed):
    def next_run() -> object:
        with deployed.store.transaction(readonly=True) as tx:
            return tx.dags.require("e2e_workweek_later")

    record = deployed.wait(lambda: next_run().next_dagrun, what="the next run of e2e_workweek_later")
    # 2099-01-03 is a Saturday: Monday's run, due 2 hours (hour_offset, serialized) after it ends.
    assert record == at(5, year=2099)
    later = next_run()
    assert (later.next_dagrun_data_interval_start, later.next_dagrun_data_interval_end) == (
        at(5, year=2099),
        at(6, year=2099),
    )
    assert later.next_dagrun_create_after == at(6, 2, year=2099)
    assert deployed.runs("e2e_workweek_later") == []


def test_a_timetable_no_plugin_registers_is_an_import_error(deployed):
    def error() -> dict | None:
        # Exits 1 while there are import errors, as Airflow's.
        listed = deployed.brisa("dags", "list-import-errors", "-o", "json", check=False)
        errors = json.loads(listed.stdout) if listed.stdout.strip() else []
        return next((e for e in errors if e["filename"].endswith("unregistered.py")), None)

    found = deployed.wait(error, what="the import error of unregistered.py")
    assert "Timetable class 'unusual_prefix_" in found["error"]  # the DAG file's own class
    assert "MyOwnTimetable' is not registered" in found["error"]
    with deployed.store.transaction(readonly=True) as tx:
        assert tx.dags.serialized("e2e_unregistered") is None


def test_tasks_render_shows_the_plugin_macro(deployed):
    rendered = deployed.brisa("tasks", "render", "e2e_workweek", "hello", "2024-01-05").stdout
    assert "echo HELLO! 2024-01-05" in rendered


def test_brisa_plugins_lists_the_folder(deployed):
    (listed,) = deployed.brisa_json("plugins")
    assert listed["name"] == "workweek"
    assert listed["source"] == str(deployed.home / "plugins" / "workweek.py")
    assert listed["timetables"] == ["workweek.WorkweekTimetable"]
    assert listed["macros"] == ["workweek.shout"]


def test_a_manual_run_gets_its_data_interval_from_the_plugin_timetable(deployed):
    # Saturday 2024-01-13 at noon: the run covers the last working day, Friday the 12th.
    run_id = deployed.brisa("dags", "trigger", "e2e_workweek_later", "-l", "2024-01-13T12:00:00").stdout
    (run,) = [r for r in deployed.runs("e2e_workweek_later") if r.run_id in run_id]
    assert run.run_type == "manual"
    assert (run.data_interval_start, run.data_interval_end) == (at(12), at(13))
