"""Asset partitions (Airflow 3.2+/3.3): what Brisa does not implement yet (the windows,
rollups, fan-out and wait policies) is refused naming the feature, never ignored; the rest
imports from ``airflow.sdk``."""

from __future__ import annotations

import pytest

from brisa.compat.table import PARTITION_NAMES
from brisa.errors import DagError
from brisa.loader import parse_file
from brisa.runtime import NoSecrets, ParseRuntime, use_runtime
from brisa.templating.accessors import OutletEvent

PARTITIONED = """
from airflow.sdk import DAG, Asset, task, {name}
"""


def _parse(tmp_path, name):
    path = tmp_path / "partitioned.py"
    path.write_text(PARTITIONED.format(name=name))
    with use_runtime(ParseRuntime(NoSecrets())):
        return parse_file(str(path), timeout=60, dags_folder=str(tmp_path))


@pytest.mark.parametrize("name", ["RollupMapper", "DayWindow", "WaitForAll", "FanOutMapper"])
def test_a_partition_name_brisa_lacks_fails_the_file_naming_it(tmp_path, name):
    assert name in PARTITION_NAMES
    (error,) = _parse(tmp_path, name).errors
    assert f"cannot import name '{name}'" in error.message
    assert "partition windows and rollups" in error.message and "not supported by Brisa" in error.message


@pytest.mark.parametrize(
    "name",
    ["CronPartitionTimetable", "PartitionedAssetTimetable", "PartitionedAtRuntime", "StartOfHourMapper"],
)
def test_the_implemented_partition_names_import(tmp_path, name):
    assert name not in PARTITION_NAMES
    assert _parse(tmp_path, name).errors == []


def test_add_partitions_collects_keys_once_each_and_refuses_non_strings():
    event = OutletEvent()
    event.add_partitions("us")
    event.add_partitions(["eu", "us", "apac"])
    assert event.partition_keys == ["us", "eu", "apac"]
    with pytest.raises(DagError, match="partition key must be a non-empty string"):
        event.add_partitions([1])
