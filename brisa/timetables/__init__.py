"""Timetables: when a DAG runs and which data interval each run covers (pure).

Airflow's interface (``airflow.timetables.*``) with the clock passed in as ``now``.
Module layout follows Airflow's so the import shim can map one onto the other:
``base``, ``interval``, ``trigger``, ``simple``, ``events``.
"""

from brisa.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable
from brisa.timetables.cron import CRON_PRESETS
from brisa.timetables.custom import CustomTimetable, TimetableRegistry, no_plugin_timetables
from brisa.timetables.events import EventsTimetable
from brisa.timetables.interval import (
    CronDataIntervalTimetable,
    DataIntervalTimetable,
    DeltaDataIntervalTimetable,
)
from brisa.timetables.partitions import (
    CronPartitionTimetable,
    PartitionedAssetTimetable,
    PartitionedAtRuntime,
)
from brisa.timetables.registry import GENERATIONS, timetable_for, timetable_from_dict
from brisa.timetables.simple import ContinuousTimetable, NullTimetable, OnceTimetable, is_periodic_summary
from brisa.timetables.trigger import (
    CronTriggerTimetable,
    DeltaTriggerTimetable,
    MultipleCronTriggerTimetable,
    TriggerTimetable,
)

__all__ = [
    "CRON_PRESETS",
    "GENERATIONS",
    "ContinuousTimetable",
    "CronDataIntervalTimetable",
    "CronPartitionTimetable",
    "CronTriggerTimetable",
    "CustomTimetable",
    "DagRunInfo",
    "DataInterval",
    "DataIntervalTimetable",
    "DeltaDataIntervalTimetable",
    "DeltaTriggerTimetable",
    "EventsTimetable",
    "MultipleCronTriggerTimetable",
    "NullTimetable",
    "OnceTimetable",
    "PartitionedAssetTimetable",
    "PartitionedAtRuntime",
    "TimeRestriction",
    "Timetable",
    "TimetableRegistry",
    "TriggerTimetable",
    "is_periodic_summary",
    "no_plugin_timetables",
    "timetable_for",
    "timetable_from_dict",
]
