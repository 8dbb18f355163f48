"""Schedules on data: Airflow 3's ``AssetTriggeredTimetable`` / ``AssetOrTimeSchedule``
and their 2.x names (``DatasetTriggeredTimetable`` / ``DatasetOrTimeSchedule``).

A timetable here holds only the *condition* (a JSON dict, see
:mod:`brisa.timetables.asset_conditions`): the scheduler creates the asset-triggered runs itself,
from the queue of events, so ``next_dagrun_info`` answers for the time part only.  The
asset objects of the DAG file are turned into that dict by their ``as_condition()``
(duck-typed so this package stays below ``brisa.sdk``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from pendulum import DateTime

from brisa.errors import ScheduleError
from brisa.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable


def condition_of(assets: Any) -> dict[str, Any]:
    """A condition dict from an asset expression, or a list of assets (all of them)."""
    if hasattr(assets, "as_condition"):
        return dict(assets.as_condition())
    if isinstance(assets, Collection) and not isinstance(assets, str | bytes | dict):
        items = list(assets)
        if not items or not all(hasattr(a, "as_condition") for a in items):
            raise ScheduleError(f"{assets!r} is not a list of assets")
        return {"all": [a.as_condition() for a in items]}
    raise ScheduleError(f"{assets!r} is not an asset condition")


class AssetTriggeredTimetable(Timetable):
    """Runs only when the assets of ``condition`` were updated (never on a clock)."""

    periodic = False
    run_ordering: ClassVar[tuple[str, ...]] = ("logical_date",)

    def __init__(self, condition: Any, *, generation: str = "3") -> None:
        self.condition = condition if isinstance(condition, dict) else condition_of(condition)
        self.generation = generation

    @property
    def _word(self) -> str:
        return "Dataset" if self.generation == "2" else "Asset"

    @property
    def summary(self) -> str:
        return self._word

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"Triggered by {self._word.lower()}s"

    @property
    def type_name(self) -> str:
        return f"{self._word}TriggeredTimetable"

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        return None

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        return DataInterval.exact(run_after)

    def _serialize_fields(self) -> dict[str, Any]:
        return {"condition": self.condition, "generation": self.generation}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> Timetable:
        return cls(data["condition"], generation=data.get("generation", "3"))


class AssetOrTimeSchedule(AssetTriggeredTimetable):
    """Runs on ``timetable``'s clock *and* whenever the assets' condition is met."""

    def __init__(
        self, *, timetable: Timetable, assets: Any = None, generation: str = "3", datasets: Any = None
    ) -> None:
        given = assets if assets is not None else datasets
        if given is None:
            raise ScheduleError("AssetOrTimeSchedule needs assets")
        condition = given if isinstance(given, dict) else condition_of(given)
        super().__init__(condition, generation=generation)
        self.timetable = timetable
        self.periodic = timetable.periodic  # type: ignore[misc]
        self.can_be_scheduled = timetable.can_be_scheduled  # type: ignore[misc]
        self.run_ordering = timetable.run_ordering  # type: ignore[misc]

    @property
    def summary(self) -> str:
        return f"{self._word} or {self.timetable.summary}"

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"Triggered by {self._word.lower()}s or {self.timetable.description}"

    @property
    def type_name(self) -> str:
        return f"{self._word}OrTimeSchedule"

    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        return self.timetable.next_dagrun_info(
            last_automated_data_interval=last_automated_data_interval, restriction=restriction, now=now
        )

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        return self.timetable.infer_manual_data_interval(run_after=run_after)

    def validate(self) -> None:
        self.timetable.validate()

    def _serialize_fields(self) -> dict[str, Any]:
        return {**super()._serialize_fields(), "timetable": self.timetable.serialize()}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> Timetable:
        from brisa.timetables.registry import timetable_from_dict

        return cls(
            timetable=timetable_from_dict(data["timetable"]),
            assets=data["condition"],
            generation=data.get("generation", "3"),
        )


class DatasetTriggeredTimetable(AssetTriggeredTimetable):
    """Airflow 2.x's name: ``DatasetTriggeredTimetable(datasets)``."""

    def __init__(self, datasets: Any) -> None:
        super().__init__(datasets, generation="2")

    def serialize(self) -> dict[str, Any]:
        return {"type": "AssetTriggeredTimetable", **self._serialize_fields()}


class DatasetOrTimeSchedule(AssetOrTimeSchedule):
    """Airflow 2.x's name: ``DatasetOrTimeSchedule(timetable=..., datasets=...)``."""

    def __init__(self, *, timetable: Timetable, datasets: Any = None, assets: Any = None) -> None:
        super().__init__(
            timetable=timetable, assets=datasets if datasets is not None else assets, generation="2"
        )

    def serialize(self) -> dict[str, Any]:
        return {"type": "AssetOrTimeSchedule", **self._serialize_fields()}


__all__ = [
    "AssetOrTimeSchedule",
    "AssetTriggeredTimetable",
    "DatasetOrTimeSchedule",
    "DatasetTriggeredTimetable",
    "condition_of",
]
