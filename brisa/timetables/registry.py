"""From a DAG's ``schedule`` argument, or a serialized dict, to a timetable.

What a plain ``schedule`` means depends on the Airflow generation the DAG file was
written for:

=================  ===============================  ===============================
schedule           generation "2" (1.10 and 2.x)    generation "3"
=================  ===============================  ===============================
None               NullTimetable                    NullTimetable
"@once"            OnceTimetable                    OnceTimetable
"@continuous"      ContinuousTimetable              ContinuousTimetable
cron / preset      CronDataIntervalTimetable        CronTriggerTimetable
timedelta          DeltaDataIntervalTimetable       DeltaTriggerTimetable
=================  ===============================  ===============================

An asset/dataset expression, or a list of them (all of them must be updated), gives an
``AssetTriggeredTimetable`` ("Dataset" in generation 2, "Asset" in 3).

A ``Timetable`` instance is used as given; a DAG author's own subclass is wrapped in
:class:`~brisa.timetables.custom.CustomTimetable` (it must be registered by a plugin to
be serialized, see ``brisa.timetables.custom``).

Generation 3 follows Airflow 3's defaults (``[scheduler] create_cron_data_intervals``
is False, and Airflow 3 reads that same flag for timedelta schedules).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta

from brisa.errors import ScheduleError
from brisa.timetables.assets import AssetOrTimeSchedule, AssetTriggeredTimetable, condition_of
from brisa.timetables.base import Timetable
from brisa.timetables.cron import ZoneLike
from brisa.timetables.custom import (
    PLUGIN_TYPE,
    CustomTimetable,
    TimetableRegistry,
    is_builtin,
    no_plugin_timetables,
)
from brisa.timetables.events import EventsTimetable
from brisa.timetables.interval import CronDataIntervalTimetable, DeltaDataIntervalTimetable
from brisa.timetables.partitions import (
    CronPartitionTimetable,
    PartitionedAssetTimetable,
    PartitionedAtRuntime,
)
from brisa.timetables.simple import ContinuousTimetable, NullTimetable, OnceTimetable
from brisa.timetables.trigger import (
    CronTriggerTimetable,
    DeltaTriggerTimetable,
    MultipleCronTriggerTimetable,
)

GENERATIONS = ("2", "3")

_BUILTIN: dict[str, type[Timetable]] = {
    cls.__name__: cls
    for cls in (
        NullTimetable,
        OnceTimetable,
        ContinuousTimetable,
        CronDataIntervalTimetable,
        DeltaDataIntervalTimetable,
        CronTriggerTimetable,
        DeltaTriggerTimetable,
        MultipleCronTriggerTimetable,
        EventsTimetable,
        AssetTriggeredTimetable,
        AssetOrTimeSchedule,
        CronPartitionTimetable,
        PartitionedAssetTimetable,
        PartitionedAtRuntime,
    )
}


def timetable_for(
    schedule: Any,
    *,
    generation: str,
    timezone: ZoneLike = "UTC",
    registry: TimetableRegistry = no_plugin_timetables,
) -> Timetable:
    """The timetable Airflow of ``generation`` builds for ``schedule``.

    ``timezone`` (the DAG's) only matters for cron expressions; ``registry`` (the plugins'
    timetables) only for serializing a DAG author's own timetable.
    """
    if generation not in GENERATIONS:
        raise ScheduleError(f"unknown Airflow generation {generation!r}; expected one of {GENERATIONS}")
    if isinstance(schedule, Timetable):
        return schedule if is_builtin(schedule) else CustomTimetable(schedule, registry=registry)
    if schedule is None:
        return NullTimetable()
    if _is_asset_schedule(schedule):
        return AssetTriggeredTimetable(condition_of(schedule), generation=generation)
    if schedule == "@once":
        return OnceTimetable()
    if schedule == "@continuous":
        return ContinuousTimetable()
    if isinstance(schedule, dt.timedelta | relativedelta):
        if generation == "2":
            return DeltaDataIntervalTimetable(schedule)
        return DeltaTriggerTimetable(schedule)
    if isinstance(schedule, str):
        if generation == "2":
            return CronDataIntervalTimetable(schedule, timezone)
        return CronTriggerTimetable(schedule, timezone=timezone)
    raise ScheduleError(f"{schedule!r} is not a valid schedule")


def _is_asset_schedule(schedule: Any) -> bool:
    """An asset (or dataset) expression, or a non-empty list of them."""
    if hasattr(schedule, "as_condition"):
        return True
    return (
        isinstance(schedule, list | tuple | set | frozenset)
        and bool(schedule)
        and all(hasattr(item, "as_condition") for item in schedule)
    )


def timetable_from_dict(
    data: dict[str, Any], *, registry: TimetableRegistry = no_plugin_timetables
) -> Timetable:
    """Rebuild a timetable from ``Timetable.serialize()``; a custom one from ``registry``
    (the plugins' timetables, passed by a caller above the plugins)."""
    name = data.get("type")
    if name == PLUGIN_TYPE:
        return CustomTimetable.from_dict(data, registry=registry)
    cls = _BUILTIN.get(name or "")
    if cls is None:
        raise ScheduleError(f"unknown timetable type {name!r}; known: {sorted(_BUILTIN)}")
    try:
        return cls.deserialize(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ScheduleError(f"malformed serialized {name}: {exc!r}") from exc


__all__ = ["GENERATIONS", "timetable_for", "timetable_from_dict"]
