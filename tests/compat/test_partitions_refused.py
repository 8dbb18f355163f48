"""Asset partitions (Airflow 3.2+/3.3): every ``airflow.sdk`` partition name imports; what
Brisa cannot serialize (a DAG author's own mapper or window) is refused naming the feature,
never ignored."""

from __future__ import annotations

import pytest

from brisa.compat.table import PARTITION_NAMES
from brisa.errors import DagError
from brisa.loader import parse_file
from brisa.runtime import NoSecrets, ParseRuntime, use_runtime
from brisa.templating.accessors import OutletEvent

AIRFLOW_3_3_NAMES = [
    "AllowedKeyMapper",
    "ChainMapper",
    "CronPartitionTimetable",
    "DayWindow",
    "FanOutMapper",
    "FixedKeyMapper",
    "HourWindow",
    "IdentityMapper",
    "MinimumCount",
    "MonthWindow",
    "PartitionMapper",
    "PartitionedAssetTimetable",
    "PartitionedAtRuntime",
    "ProductMapper",
    "QuarterWindow",
    "RollupMapper",
    "SegmentWindow",
    "StartOfDayMapper",
    "StartOfHourMapper",
    "StartOfMonthMapper",
    "StartOfQuarterMapper",
    "StartOfWeekMapper",
    "StartOfYearMapper",
    "WaitForAll",
    "WeekWindow",
    "Window",
    "YearWindow",
]

CUSTOM = """
from airflow.sdk import DAG, Asset, PartitionedAssetTimetable, {base}

class Mine({base}):
    def to_downstream(self, key):
        return key
    def to_upstream(self, anchor):
        return [anchor]

with DAG("custom", schedule=PartitionedAssetTimetable(assets=Asset("a"), default_partition_mapper={use})):
    pass
"""


def _parse(tmp_path, source):
    path = tmp_path / "partitioned.py"
    path.write_text(source)
    with use_runtime(ParseRuntime(NoSecrets())):
        return parse_file(str(path), timeout=60, dags_folder=str(tmp_path))


def test_every_airflow_3_3_partition_name_imports(tmp_path):
    assert len(AIRFLOW_3_3_NAMES) == 27 and PARTITION_NAMES == ()
    result = _parse(tmp_path, f"from airflow.sdk import {', '.join(AIRFLOW_3_3_NAMES)}\n")
    assert result.errors == []


@pytest.mark.parametrize(
    ("base", "use", "what"),
    [
        ("PartitionMapper", "Mine()", "custom partition mapper Mine"),
        (
            "Window",
            "RollupMapper(upstream_mapper=StartOfDayMapper(), window=Mine())",
            "custom partition window",
        ),
    ],
)
def test_a_custom_mapper_or_window_fails_the_file_naming_it(tmp_path, base, use, what):
    source = CUSTOM.format(base=base, use=use)
    if base == "Window":
        source = source.replace(
            "from airflow.sdk import", "from airflow.sdk import RollupMapper, StartOfDayMapper,"
        )
    (error,) = _parse(tmp_path, source).errors
    assert what in error.message and "is not supported by Brisa" in error.message


def test_add_partitions_collects_keys_once_each_and_refuses_non_strings():
    event = OutletEvent()
    event.add_partitions("us")
    event.add_partitions(["eu", "us", "apac"])
    assert event.partition_keys == ["us", "eu", "apac"]
    with pytest.raises(DagError, match="partition key must be a non-empty string"):
        event.add_partitions([1])
