"""Airflow 3.2+'s partitioned schedules.

``CronPartitionTimetable`` is a cron schedule whose runs carry a partition key: the run's
due time (moved ``run_offset`` cron ticks) formatted with ``key_format``.  Brisa keeps
the logical date of these runs (the due time, as ``CronTriggerTimetable``); Airflow sets
none (documented in docs/authoring.md).

``PartitionedAssetTimetable`` holds the asset condition and the partition mappers; the
scheduler creates one run per mapped key from the partition queue
(:mod:`brisa.scheduler.partitions`).  ``PartitionedAtRuntime`` marks a DAG whose tasks
name their partitions themselves (``outlet_events[asset].add_partitions(...)``): it is
never scheduled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from pendulum import DateTime

from brisa.errors import ScheduleError
from brisa.timetables.assets import AssetTriggeredTimetable, condition_of
from brisa.timetables.base import DagRunInfo, Timetable, to_utc
from brisa.timetables.cron import ZoneLike, decode_timezone
from brisa.timetables.partition_mappers import (
    IdentityMapper,
    PartitionMapper,
    checked_mapper,
    mapper_from_dict,
)
from brisa.timetables.simple import NullTimetable
from brisa.timetables.trigger import CronTriggerTimetable, RunImmediately


class CronPartitionTimetable(CronTriggerTimetable):
    """Cron runs, each with the partition key of its (offset) date."""

    def __init__(
        self,
        cron: str,
        *,
        timezone: ZoneLike,
        run_offset: int | None = None,
        run_immediately: RunImmediately = False,
        key_format: str = "%Y-%m-%dT%H:%M:%S",
    ) -> None:
        if not isinstance(run_offset, int | None) or isinstance(run_offset, bool):
            raise ScheduleError(f"CronPartitionTimetable run_offset must be an int; got {run_offset!r}")
        super().__init__(cron, timezone=timezone, run_immediately=run_immediately)
        self.run_offset = run_offset or 0
        self.key_format = key_format

    def partition_date(self, run_after: dt.datetime) -> DateTime:
        """The date the run at ``run_after`` is for: ``run_offset`` ticks later (earlier if negative)."""
        when = to_utc(run_after)
        step = self._schedule.next_after if self.run_offset > 0 else self._schedule.prev_before
        for _ in range(abs(self.run_offset)):
            when = step(when)
        return when

    def partition_for(self, info: DagRunInfo) -> tuple[str, DateTime] | None:
        when = self.partition_date(info.run_after)
        # Formatted in the schedule's timezone, as the cron expression reads.
        return when.in_timezone(self._schedule.timezone).strftime(self.key_format), when

    def _serialize_fields(self) -> dict[str, Any]:
        return {**super()._serialize_fields(), "run_offset": self.run_offset, "key_format": self.key_format}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> CronPartitionTimetable:
        base = CronTriggerTimetable.deserialize(data)
        return cls(
            data["expression"],
            timezone=decode_timezone(data["timezone"]),
            run_offset=data.get("run_offset", 0),
            run_immediately=base.run_immediately,
            key_format=data.get("key_format", "%Y-%m-%dT%H:%M:%S"),
        )


def _leaf(asset: Any) -> dict[str, Any]:
    """The condition leaf of one asset (or asset reference) a mapper is configured for."""
    if not hasattr(asset, "as_condition"):
        raise ScheduleError(f"partition_mapper_config keys must be assets; got {asset!r}")
    leaf = dict(asset.as_condition())
    if "asset" in leaf:
        leaf["asset"] = {k: leaf["asset"][k] for k in ("name", "uri")}
    elif "asset_ref" not in leaf:
        raise ScheduleError(f"partition_mapper_config keys must be assets or asset references; got {asset!r}")
    return leaf


def _matches(leaf: Mapping[str, Any], name: str, uri: str) -> bool:
    if "asset" in leaf:
        return (leaf["asset"]["name"], leaf["asset"]["uri"]) == (name, uri)
    ref = leaf["asset_ref"]
    return bool(ref.get("name") == name if "name" in ref else ref.get("uri") == uri)


def _mapper(value: Any) -> PartitionMapper:
    return checked_mapper(value)


class PartitionedAssetTimetable(AssetTriggeredTimetable):
    """One run per partition key once the events under that key meet the condition."""

    SUMMARY: ClassVar[str] = "Partitioned Asset"
    """Airflow's ``timetable_summary`` of these DAGs (the DAG list tells them apart by it)."""

    def __init__(
        self,
        *,
        assets: Any,
        default_partition_mapper: PartitionMapper | None = None,
        partition_mapper_config: Mapping[Any, PartitionMapper] | None = None,
    ) -> None:
        super().__init__(assets if isinstance(assets, dict) else condition_of(assets))
        self.default_partition_mapper = _mapper(default_partition_mapper or IdentityMapper())
        config = partition_mapper_config or {}
        self.mapper_config: list[tuple[dict[str, Any], PartitionMapper]] = [
            (_leaf(asset), _mapper(mapper)) for asset, mapper in config.items()
        ]

    @property
    def summary(self) -> str:
        return self.SUMMARY

    @property
    def description(self) -> str:  # type: ignore[override]
        return "Triggered by partitioned assets, one run per partition key"

    @property
    def type_name(self) -> str:
        return "PartitionedAssetTimetable"

    def mapper_for(self, name: str, uri: str) -> PartitionMapper:
        """The mapper of events on asset (name, uri): its configured one, else the default."""
        for leaf, mapper in self.mapper_config:
            if _matches(leaf, name, uri):
                return mapper
        return self.default_partition_mapper

    def _serialize_fields(self) -> dict[str, Any]:
        return {
            "condition": self.condition,
            "default_partition_mapper": self.default_partition_mapper.serialize(),
            "partition_mapper_config": [
                {"asset": leaf, "mapper": mapper.serialize()} for leaf, mapper in self.mapper_config
            ],
        }

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> Timetable:
        timetable = cls(
            assets=data["condition"],
            default_partition_mapper=mapper_from_dict(data["default_partition_mapper"]),
        )
        timetable.mapper_config = [
            (dict(item["asset"]), mapper_from_dict(item["mapper"]))
            for item in data.get("partition_mapper_config", [])
        ]
        return timetable


class PartitionedAtRuntime(NullTimetable):
    """A DAG whose tasks name their partitions (``add_partitions``): never scheduled, like
    ``schedule=None``, under its own name."""

    run_ordering: ClassVar[tuple[str, ...]] = Timetable.run_ordering
    description = "Partitioned at runtime, external triggers only"

    @property
    def summary(self) -> str:
        return "Partitioned at runtime"


__all__ = ["CronPartitionTimetable", "PartitionedAssetTimetable", "PartitionedAtRuntime"]
