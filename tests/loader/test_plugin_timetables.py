"""The DAG processor's side of custom timetables (Airflow 2.2+ and 3.x): serialized only when
a plugin registers the class; otherwise an import error of the DAG file at the DAG's line."""

from __future__ import annotations

import textwrap

from brisa.loader import parse_file
from tests.plugins.helpers import plugins_folder

USES_PLUGIN = """
from datetime import datetime
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from workweek import WorkweekTimetable

with DAG("uses_plugin", start_date=datetime(2024, 1, 1), timetable=WorkweekTimetable(hour_offset=3)):
    EmptyOperator(task_id="t")
"""

OWN_TIMETABLE = """
from datetime import datetime
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.timetables.base import DagRunInfo, DataInterval, Timetable


class Mine(Timetable):
    def infer_manual_data_interval(self, *, run_after):
        return DataInterval(run_after, run_after)

    def next_dagrun_info(self, *, last_automated_data_interval, restriction):
        return None


with DAG("own", start_date=datetime(2024, 1, 1), timetable=Mine()):
    EmptyOperator(task_id="t")

with DAG("plain", start_date=datetime(2024, 1, 1), schedule=None):
    EmptyOperator(task_id="t")
"""


def write(folder, name, source):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def test_a_dag_file_imports_the_plugins_timetable_and_it_is_serialized_by_import_path(tmp_path):
    path = write(tmp_path / "dags", "uses.py", USES_PLUGIN)
    with plugins_folder(tmp_path / "plugins"):
        result = parse_file(path)
    assert result.errors == []
    [dag] = result.dags
    assert dag.timetable == {
        "type": "plugin",
        "class": "workweek.WorkweekTimetable",
        "value": {"hour_offset": 3},
    }
    assert dag.schedule_summary == "after each workday"


def test_a_timetable_class_no_plugin_registers_is_an_import_error_of_its_dag(tmp_path):
    path = write(tmp_path / "dags", "own.py", OWN_TIMETABLE)
    with plugins_folder(tmp_path / "plugins"):
        result = parse_file(path)
    assert [d.dag_id for d in result.dags] == ["plain"]  # the file's other DAG still loads
    [error] = result.errors
    assert error.lineno == 16
    assert error.message.startswith("ScheduleError: Timetable class 'unusual_prefix_")
    assert ".Mine' is not registered or you have a top level database access" in error.message


INVALID = """
from datetime import datetime
from airflow import DAG
from airflow.exceptions import AirflowTimetableInvalid
from airflow.operators.empty import EmptyOperator
from workweek import WorkweekTimetable


class Picky(WorkweekTimetable):
    def validate(self):
        raise AirflowTimetableInvalid("hour_offset must be below 24")


with DAG("picky", start_date=datetime(2024, 1, 1), timetable=Picky(hour_offset=30)):
    EmptyOperator(task_id="t")
"""


def test_the_timetables_own_validate_runs_when_the_dag_loads_as_in_airflows_dagbag(tmp_path):
    path = write(tmp_path / "dags", "picky.py", INVALID)
    with plugins_folder(tmp_path / "plugins"):
        result = parse_file(path)
    assert result.dags == []
    [error] = result.errors
    assert error.message == "AirflowTimetableInvalid: hour_offset must be below 24"
