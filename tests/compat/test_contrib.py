"""``airflow.contrib`` of Airflow 1.10.15: what moved to core resolves, the rest is refused by name."""

from __future__ import annotations

import importlib

import pytest

from brisa.compat import TABLE, shim_installed
from brisa.compat.table import UNSUPPORTED_MODULES
from brisa.loader import parse_file
from tests.compat.airflow_names import CONTRIB_1_10_15

RESOLVED = {
    "airflow.contrib.sensors.bash_sensor": ("BashSensor", "brisa.sdk.sensors.bash"),
    "airflow.contrib.sensors.file_sensor": ("FileSensor", "brisa.sdk.sensors.filesystem"),
    "airflow.contrib.sensors.python_sensor": ("PythonSensor", "brisa.sdk.sensors.python"),
    "airflow.contrib.sensors.weekday_sensor": ("DayOfWeekSensor", "brisa.sdk.sensors.weekday"),
    "airflow.contrib.utils.weekday": ("WeekDay", "brisa.sdk.operators.weekday"),
    "airflow.contrib.hooks.fs_hook": ("FSHook", "brisa.sdk.hooks.filesystem"),
}


def test_every_contrib_module_of_1_10_15_is_decided():
    assert set(RESOLVED) <= set(CONTRIB_1_10_15)
    for module in CONTRIB_1_10_15:
        assert (module in TABLE) != (module in UNSUPPORTED_MODULES), module
        assert (module in TABLE) == (module in RESOLVED), module


@pytest.mark.parametrize("module", sorted(RESOLVED))
def test_contrib_modules_whose_class_moved_to_core_resolve(module):
    name, brisa_module = RESOLVED[module]
    with shim_installed():
        imported = getattr(importlib.import_module(module), name)
    assert imported is getattr(importlib.import_module(brisa_module), name)


@pytest.mark.parametrize("module", sorted(set(CONTRIB_1_10_15) - set(RESOLVED)))
def test_other_contrib_modules_fail_naming_the_module(module):
    package, _, leaf = module.rpartition(".")
    with shim_installed():
        with pytest.raises(ModuleNotFoundError, match=rf"Brisa does not support {module} \(") as info:
            importlib.import_module(module)
        assert info.value.name == module
        # The package form names the module too, not "cannot import name".
        with pytest.raises(ModuleNotFoundError, match=rf"Brisa does not support {module} \("):
            exec(f"from {package} import {leaf}", {})


def test_the_issues_bigquery_example_and_its_reason():
    with shim_installed(), pytest.raises(ImportError) as info:
        exec("from airflow.contrib.operators.bigquery_operator import BigQueryOperator", {})
    message = str(info.value)
    assert "is not a package" not in message
    assert "Brisa does not support airflow.contrib.operators.bigquery_operator" in message
    assert "provider package" in message


def test_1_10_package_level_contrib_names_are_refused_by_name():
    with shim_installed():
        with pytest.raises(ImportError, match=r"cannot import name 'SSHOperator'.*Brisa does not support it"):
            exec("from airflow.contrib.operators import SSHOperator", {})
        with pytest.raises(ImportError, match=r"cannot import name 'GoogleCloudStorageHook'.*provider"):
            exec("from airflow.contrib.hooks import GoogleCloudStorageHook", {})


def test_a_1_10_dag_with_contrib_sensors_and_a_fallback_loads_as_generation_two(tmp_path):
    path = tmp_path / "contrib_dag.py"
    path.write_text(
        "from datetime import datetime\n"
        "from airflow import DAG\n"
        "from airflow.contrib.sensors.file_sensor import FileSensor\n"
        "from airflow.contrib.utils.weekday import WeekDay\n"
        "try:\n"
        "    from airflow.contrib.operators.ssh_operator import SSHOperator\n"
        "except ImportError:\n"
        "    SSHOperator = None\n"
        "dag = DAG('contrib_dag', start_date=datetime(2020, 1, 1), schedule_interval='@daily')\n"
        "FileSensor(task_id='wait', filepath='/tmp/' + WeekDay.MONDAY.name, dag=dag)\n"
        "assert SSHOperator is None\n"
    )
    result = parse_file(str(path), generation_default="3")
    assert not result.errors, result.errors
    [dag] = result.dags
    assert dag.generation == "2" and "airflow.contrib.sensors.file_sensor" in dag.generation_reason
    assert list(dag.tasks) == ["wait"]
