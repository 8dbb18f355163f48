"""Partition mappers and partitioned timetables as pure functions (no store)."""

from __future__ import annotations

from datetime import UTC, datetime

import pendulum
import pytest

from brisa.errors import ScheduleError
from brisa.sdk.assets import Asset
from brisa.timetables import timetable_from_dict
from brisa.timetables.base import DagRunInfo
from brisa.timetables.partition_mappers import (
    AllowedKeyMapper,
    ChainMapper,
    FanOutMapper,
    FixedKeyMapper,
    IdentityMapper,
    PartitionKeyError,
    ProductMapper,
    RollupMapper,
    StartOfDayMapper,
    StartOfHourMapper,
    StartOfMonthMapper,
    StartOfQuarterMapper,
    StartOfWeekMapper,
    StartOfYearMapper,
    downstream_keys,
    mapper_from_dict,
)
from brisa.timetables.partition_windows import (
    DayWindow,
    HourWindow,
    MinimumCount,
    MonthWindow,
    QuarterWindow,
    SegmentWindow,
    WaitForAll,
    WeekWindow,
    Window,
    YearWindow,
)
from brisa.timetables.partitions import (
    CronPartitionTimetable,
    PartitionedAssetTimetable,
    PartitionedAtRuntime,
)

KEY = "2024-03-13T10:42:15"


@pytest.mark.parametrize(
    ("mapper", "expected"),
    [
        (IdentityMapper(), KEY),
        (StartOfHourMapper(), "2024-03-13T10"),
        (StartOfDayMapper(), "2024-03-13"),
        (StartOfWeekMapper(), "2024-03-11 (W11)"),
        (StartOfMonthMapper(), "2024-03"),
        (StartOfQuarterMapper(), "2024-Q1"),
        (StartOfYearMapper(), "2024"),
        (StartOfDayMapper(output_format="%d/%m/%Y"), "13/03/2024"),
        (FixedKeyMapper("all"), "all"),
        (ChainMapper(StartOfHourMapper(), FixedKeyMapper("x")), "x"),
    ],
)
def test_each_mapper_maps_a_key_as_airflow_documents(mapper, expected):
    assert mapper.to_downstream(KEY) == expected
    assert mapper_from_dict(mapper.serialize()) == mapper  # the scheduler's copy maps the same


def test_a_temporal_mapper_reads_naive_keys_in_its_timezone_and_aware_ones_converted():
    sao_paulo = StartOfDayMapper(timezone="America/Sao_Paulo")
    assert sao_paulo.to_downstream("2024-03-13T01:00:00") == "2024-03-13"
    aware = StartOfDayMapper(timezone="America/Sao_Paulo", input_format="%Y-%m-%dT%H:%M:%S%z")
    assert aware.to_downstream("2024-03-13T01:00:00+0000") == "2024-03-12"  # 22:00 the day before


def test_partition_dates_are_the_start_of_the_period_and_none_for_categorical_keys():
    assert StartOfQuarterMapper().to_partition_date("2024-Q2") == datetime(2024, 4, 1, tzinfo=UTC)
    assert StartOfWeekMapper().to_partition_date("2024-03-11 (W11)") == datetime(2024, 3, 11, tzinfo=UTC)
    assert StartOfHourMapper().to_partition_date("2024-03-13T10") == datetime(2024, 3, 13, 10, tzinfo=UTC)
    assert IdentityMapper().to_partition_date("us") is None
    product = ProductMapper(IdentityMapper(), StartOfDayMapper())
    assert product.to_partition_date("us|2024-03-13") == datetime(2024, 3, 13, tzinfo=UTC)
    assert (
        ProductMapper(StartOfDayMapper(), StartOfDayMapper()).to_partition_date("2024-03-13|2024-03-14")
        is None
    )


def test_product_maps_each_segment_and_rejects_a_wrong_segment_count():
    product = ProductMapper(IdentityMapper(), StartOfDayMapper())
    assert product.to_downstream(f"us|{KEY}") == "us|2024-03-13"
    assert mapper_from_dict(product.serialize()).to_downstream(f"eu|{KEY}") == "eu|2024-03-13"
    with pytest.raises(PartitionKeyError, match="2 segments"):
        ProductMapper(IdentityMapper(), IdentityMapper(), IdentityMapper()).to_downstream("a|b")


def test_rejected_keys_are_one_clear_error():
    with pytest.raises(PartitionKeyError, match="not one of"):
        AllowedKeyMapper(["us", "eu"]).to_downstream("apac")
    with pytest.raises(PartitionKeyError, match="does not match"):
        StartOfDayMapper().to_downstream("us")
    with pytest.raises(ScheduleError, match="non-empty"):
        FixedKeyMapper("")
    with pytest.raises(ScheduleError, match="not a partition mapper"):
        ChainMapper(IdentityMapper(), "nope")  # type: ignore[arg-type]
    with pytest.raises(ScheduleError, match="unknown partition mapper"):
        mapper_from_dict({"type": "SequenceMapper"})


def test_downstream_keys_is_always_a_list():
    assert downstream_keys(AllowedKeyMapper(["us"]), "us") == ["us"]


def test_cron_partition_keys_come_from_the_offset_run_date_in_the_schedule_timezone():
    info = DagRunInfo.exact(pendulum.datetime(2024, 3, 13, 10, tz="UTC"))
    hourly = CronPartitionTimetable("0 * * * *", timezone="UTC")
    assert hourly.partition_for(info) == ("2024-03-13T10:00:00", info.run_after)
    previous = CronPartitionTimetable("0 * * * *", timezone="UTC", run_offset=-1, key_format="%Y%m%d%H")
    assert previous.partition_for(info) == ("2024031309", pendulum.datetime(2024, 3, 13, 9, tz="UTC"))
    local = CronPartitionTimetable("0 7 * * *", timezone="America/Sao_Paulo", key_format="%Y-%m-%d %H")
    assert local.partition_for(info)[0] == "2024-03-13 07"
    again = timetable_from_dict(previous.serialize())
    assert isinstance(again, CronPartitionTimetable) and again.partition_for(info) == previous.partition_for(
        info
    )
    with pytest.raises(ScheduleError, match="run_offset must be an int"):
        CronPartitionTimetable("0 * * * *", timezone="UTC", run_offset=1.5)  # type: ignore[arg-type]


def test_other_timetables_have_no_partition():
    info = DagRunInfo.exact(pendulum.datetime(2024, 3, 13, 10, tz="UTC"))
    assert timetable_from_dict({"type": "CronTriggerTimetable", "expression": "0 * * * *", "timezone": "UTC",
                                "interval": 0.0}).partition_for(info) is None  # fmt: skip


def test_a_partitioned_asset_timetable_picks_each_asset_s_mapper_and_round_trips():
    a, b = Asset("a", uri="s3://x/a"), Asset("b")
    timetable = PartitionedAssetTimetable(
        assets=a & b,
        default_partition_mapper=StartOfHourMapper(),
        partition_mapper_config={a: StartOfYearMapper(), Asset.ref(name="c"): IdentityMapper()},
    )
    again = timetable_from_dict(timetable.serialize())
    assert isinstance(again, PartitionedAssetTimetable) and again.condition == (a & b).as_condition()
    assert again.mapper_for("a", "s3://x/a") == StartOfYearMapper()
    assert again.mapper_for("c", "anything") == IdentityMapper()
    assert again.mapper_for("b", "b") == StartOfHourMapper()
    assert (again.summary, again.type_name) == ("Partitioned Asset", "PartitionedAssetTimetable")
    with pytest.raises(ScheduleError, match="not a partition mapper"):
        PartitionedAssetTimetable(assets=a, default_partition_mapper="hourly")  # type: ignore[arg-type]
    with pytest.raises(ScheduleError, match="must be assets"):
        PartitionedAssetTimetable(assets=a, partition_mapper_config={"a": IdentityMapper()})


def test_partitioned_at_runtime_is_never_scheduled():
    timetable = timetable_from_dict(PartitionedAtRuntime().serialize())
    assert isinstance(timetable, PartitionedAtRuntime) and not timetable.can_be_scheduled


# -- windows, rollups and fan-out ------------------------------------------------------------------------
def test_temporal_windows_list_their_members_forward_and_backward():
    day = datetime(2024, 3, 13)
    assert len(DayWindow().to_upstream(day)) == 24 and HourWindow().to_upstream(day)[-1] == day.replace(
        minute=59
    )
    assert WeekWindow(direction=Window.Direction.BACKWARD).to_upstream(day)[0] == datetime(2024, 3, 7)
    assert len(MonthWindow().to_upstream(datetime(2024, 2, 1))) == 29
    assert MonthWindow(direction="backward").to_upstream(datetime(2024, 3, 1))[0] == datetime(2024, 2, 2)
    assert QuarterWindow().to_upstream(datetime(2024, 11, 1))[-1] == datetime(2025, 1, 1)
    assert len(YearWindow().to_upstream(datetime(2024, 1, 1))) == 12
    with pytest.raises(ScheduleError, match="day 1"):
        YearWindow().to_upstream(day)
    assert SegmentWindow(["us", "eu", "us"]).to_upstream("anything") == ["eu", "us"]
    with pytest.raises(ScheduleError, match="non-empty string"):
        SegmentWindow([])


def test_a_rollup_waits_for_its_period_as_its_wait_policy_says():
    daily = RollupMapper(upstream_mapper=StartOfDayMapper(), window=DayWindow())
    assert daily.to_downstream(KEY) == "2024-03-13"
    hours = {f"2024-03-13T{h:02}:00:00" for h in range(24)}
    assert daily.upstream_keys("2024-03-13") == hours
    assert daily.is_complete("2024-03-13", hours) and not daily.is_complete(
        "2024-03-13", hours - {KEY[:14] + "00:00"}
    )
    monthly = RollupMapper(upstream_mapper=StartOfMonthMapper(input_format="%Y-%m-%d"), window=MonthWindow())
    assert "2024-02-29" in monthly.upstream_keys("2024-02")
    regions = RollupMapper(
        upstream_mapper=FixedKeyMapper("all"),
        window=SegmentWindow(["us", "eu", "apac"]),
        wait_policy=MinimumCount(-1),
    )
    assert not regions.is_complete("all", {"us"}) and regions.is_complete("all", {"us", "eu"})
    assert mapper_from_dict(regions.serialize()) == regions
    assert MinimumCount(2).is_satisfied(matched={"a", "b", "x"}, expected={"a", "b", "c"})
    assert not WaitForAll().is_satisfied(matched={"a"}, expected={"a", "b"})
    with pytest.raises(ScheduleError, match="non-zero"):
        MinimumCount(0)
    with pytest.raises(ScheduleError, match="does not fit"):
        RollupMapper(upstream_mapper=IdentityMapper(), window=DayWindow())


def test_a_fan_out_gives_one_key_per_member_within_its_limit():
    weekly = FanOutMapper(upstream_mapper=StartOfWeekMapper(), window=WeekWindow(), max_downstream_keys=7)
    assert weekly.to_downstream(KEY) == [f"2024-03-{d}" for d in range(11, 18)]
    assert mapper_from_dict(weekly.serialize()).to_downstream(KEY) == weekly.to_downstream(KEY)
    daily = FanOutMapper(upstream_mapper=StartOfDayMapper(), window=DayWindow())
    assert daily.to_downstream(KEY)[:2] == ["2024-03-13T00", "2024-03-13T01"]  # StartOfHourMapper's keys
    segments = FanOutMapper(
        upstream_mapper=IdentityMapper(),
        window=SegmentWindow(["us", "eu"]),
        downstream_mapper=IdentityMapper(),
    )
    assert segments.to_downstream("x") == ["eu", "us"]
    with pytest.raises(PartitionKeyError, match="more than 3"):
        FanOutMapper(
            upstream_mapper=StartOfWeekMapper(), window=WeekWindow(), max_downstream_keys=3
        ).to_downstream(KEY)
    with pytest.raises(ScheduleError, match="no default downstream_mapper"):
        FanOutMapper(upstream_mapper=IdentityMapper(), window=SegmentWindow(["us"]))
