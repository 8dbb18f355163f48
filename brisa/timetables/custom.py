"""Custom timetables (Airflow 2.2+ ``Timetable`` subclasses) behind Brisa's timetable protocol.

A DAG file may pass ``timetable=`` (or ``schedule=``) an instance of its own ``Timetable``
subclass.  The scheduler never runs DAG code, so, as in Airflow, the class must be
registered by a plugin (``AirflowPlugin.timetables``): the DAG processor refuses to
serialize one that is not, and the scheduler rebuilds it from the plugins it loaded.
This package never loads plugins (user code): whoever serializes or rebuilds a custom
timetable (loader, scheduler, services, UI) passes the registry in; without one, no class
is registered.

Airflow's methods read the wall clock and take no ``now``;
:class:`CustomTimetable` passes ``now`` only to a ``next_dagrun_info`` that takes it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from pendulum import DateTime

from brisa.errors import ScheduleError
from brisa.timetables.base import DagRunInfo, DataInterval, TimeRestriction, Timetable

PLUGIN_TYPE = "plugin"
"""``type`` of a serialized custom timetable: ``{"type": "plugin", "class": ..., "value": ...}``."""


def qualname(cls: type) -> str:
    """The import path Airflow keys a plugin timetable by: ``workday.AfterWorkdayTimetable``."""
    return f"{cls.__module__}.{cls.__qualname__}"


TimetableRegistry = Callable[[], Mapping[str, type[Any]]]
"""``{import path: class}`` of the timetables plugins register, read when first needed."""


def no_plugin_timetables() -> Mapping[str, type[Any]]:
    """The registry of a caller that passes none: no custom timetable is registered."""
    return {}


def not_registered(path: str) -> ScheduleError:
    """Airflow's ``_TimetableNotRegistered`` message, with where Brisa looks."""
    return ScheduleError(
        f"Timetable class {path!r} is not registered or you have a top level database access that "
        "disrupted the session. Brisa schedules a custom timetable only when a plugin of the "
        "plugins folder ([core] plugins_folder) lists its class in AirflowPlugin.timetables"
    )


class CustomTimetable(Timetable):
    """A user's timetable, called the way Brisa's scheduler calls its own."""

    def __init__(self, inner: Timetable, *, registry: TimetableRegistry = no_plugin_timetables) -> None:
        self.inner = inner
        self._registry = registry

    @property
    def import_path(self) -> str:
        return qualname(type(self.inner))

    # -- Airflow's attributes, read from the user's timetable -----------------------------
    @property
    def periodic(self) -> bool:  # type: ignore[override]
        return bool(getattr(self.inner, "periodic", True))

    @property
    def can_be_scheduled(self) -> bool:  # type: ignore[override]
        return bool(getattr(self.inner, "can_be_scheduled", True))

    @property
    def run_ordering(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(getattr(self.inner, "run_ordering", Timetable.run_ordering))

    @property
    def active_runs_limit(self) -> int | None:  # type: ignore[override]
        return getattr(self.inner, "active_runs_limit", None)

    @property
    def description(self) -> str:  # type: ignore[override]
        return str(getattr(self.inner, "description", "") or "")

    @property
    def summary(self) -> str:
        return str(getattr(self.inner, "summary", type(self.inner).__name__))

    @property
    def type_name(self) -> str:
        return type(self.inner).__name__

    def validate(self) -> None:
        validate = getattr(self.inner, "validate", None)
        if callable(validate):
            validate()

    def __getattr__(self, name: str) -> Any:
        # DAG code reading its own timetable's attributes (``dag.timetable.schedule_at``).
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    # -- the protocol ---------------------------------------------------------------------
    def next_dagrun_info(
        self,
        *,
        last_automated_data_interval: DataInterval | None,
        restriction: TimeRestriction,
        now: DateTime,
    ) -> DagRunInfo | None:
        method = self.inner.next_dagrun_info
        kwargs: dict[str, Any] = {
            "last_automated_data_interval": last_automated_data_interval,
            "restriction": restriction,
        }
        if _takes(method, "now"):
            kwargs["now"] = now
        return method(**kwargs)

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        return self.inner.infer_manual_data_interval(run_after=run_after)

    def serialize(self) -> dict[str, Any]:
        """The class's import path and its own ``serialize()``; refused when no plugin registers it."""
        if self.import_path not in self._registry():
            raise not_registered(self.import_path)
        return {"type": PLUGIN_TYPE, "class": self.import_path, "value": self.inner.serialize()}

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, registry: TimetableRegistry = no_plugin_timetables
    ) -> CustomTimetable:
        path = str(data.get("class"))
        found = registry().get(path)
        if found is None:
            raise not_registered(path)
        try:
            inner = found.deserialize(data.get("value") or {})
        except Exception as exc:  # the plugin's own code
            raise ScheduleError(f"{path}.deserialize() failed: {exc!r}") from exc
        return cls(inner, registry=registry)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CustomTimetable):
            return self.inner == other.inner
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.import_path)

    def __repr__(self) -> str:
        return f"CustomTimetable({self.inner!r})"


def _takes(method: Callable[..., Any], name: str) -> bool:
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def is_builtin(timetable: Timetable) -> bool:
    """One of Brisa's own timetables (not a DAG author's subclass)."""
    return type(timetable).__module__.startswith("brisa.timetables.")


__all__ = [
    "PLUGIN_TYPE",
    "CustomTimetable",
    "TimetableRegistry",
    "is_builtin",
    "no_plugin_timetables",
    "not_registered",
    "qualname",
]
