"""Asset partitions (Airflow 3.2+/3.3) are refused naming the feature, never ignored."""

from __future__ import annotations

import pytest

from brisa.errors import DagError
from brisa.loader import parse_file
from brisa.runtime import NoSecrets, ParseRuntime, use_runtime
from brisa.templating.accessors import OutletEvent

PARTITIONED = """
from airflow.sdk import DAG, Asset, task, {name}
"""


@pytest.mark.parametrize(
    "name",
    ["CronPartitionTimetable", "PartitionedAssetTimetable", "PartitionedAtRuntime", "StartOfHourMapper"],
)
def test_a_partition_name_fails_the_file_naming_asset_partitions(tmp_path, name):
    path = tmp_path / "partitioned.py"
    path.write_text(PARTITIONED.format(name=name))
    with use_runtime(ParseRuntime(NoSecrets())):
        result = parse_file(str(path), timeout=60, dags_folder=str(tmp_path))
    (error,) = result.errors
    assert result.dags == []
    assert f"cannot import name '{name}'" in error.message
    assert "asset partitions" in error.message and "not supported by Brisa" in error.message


def test_add_partitions_on_an_outlet_event_is_refused():
    with pytest.raises(DagError, match=r"add_partitions.*asset partitions"):
        OutletEvent().add_partitions(["us", "eu"])
