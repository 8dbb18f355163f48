"""Airflow 3.2+'s partition mappers: pure functions from an upstream asset event's partition
key to the key(s) of the consumer's run.

A ``PartitionedAssetTimetable`` consumer gets one run per *mapped* key, once the events
queued under that key meet its asset condition. Mappers serialize to
``{"type": <class name>, ...fields}`` and are rebuilt by :func:`mapper_from_dict`, so the
scheduler never runs DAG code.

Every Airflow 3.3 mapper: Identity, the temporal ``StartOf{Hour,Day,Week,Month,Quarter,Year}Mapper``,
``AllowedKeyMapper``, ``FixedKeyMapper``, ``ChainMapper``, ``ProductMapper``, and with the
windows of :mod:`brisa.timetables.partition_windows`, ``RollupMapper`` (many keys → one
run) and ``FanOutMapper`` (one key → many runs).

A key a mapper rejects (``AllowedKeyMapper``, an unparsable temporal key, a wrong number of
``ProductMapper`` segments) raises :class:`PartitionKeyError`: that event is not queued for
that consumer (logged), as a bad key cannot become a run.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Set
from typing import Any, ClassVar

from pendulum import FixedTimezone, Timezone

from brisa.errors import ScheduleError
from brisa.timetables.cron import ZoneLike, decode_timezone, encode_timezone, resolve_timezone
from brisa.timetables.partition_windows import (
    WINDOWS,
    WaitForAll,
    WaitPolicy,
    Window,
    wait_policy_from_dict,
    window_from_dict,
)


class PartitionKeyError(ScheduleError):
    """A partition key a mapper cannot map (not allowed, not parsable)."""


def _keys(mapped: str | list[str]) -> list[str]:
    return [mapped] if isinstance(mapped, str) else list(mapped)


class PartitionMapper(ABC):
    """Maps an upstream partition key to the downstream run's key (or keys)."""

    @abstractmethod
    def to_downstream(self, key: str) -> str | list[str]:
        """The consumer's key(s) for upstream ``key`` (PartitionKeyError if it has none)."""

    def to_partition_date(self, downstream_key: str) -> dt.datetime | None:
        """The instant a downstream key stands for; None for a non-temporal key."""
        return None

    # A window's members are in the mapper's decoded form: these convert to and from keys.
    def decode_downstream(self, downstream_key: str) -> Any:
        """A downstream key as the anchor a window enumerates from (the key itself here)."""
        return downstream_key

    def encode_upstream(self, member: Any) -> str:
        """A window member as the upstream key producers emit (``str`` here)."""
        return str(member)

    def encode_downstream(self, member: Any) -> str:
        """A window member as this mapper's own downstream key (fan-out)."""
        return self.to_downstream(str(member))  # type: ignore[return-value]

    def serialize(self) -> dict[str, Any]:
        return {"type": type(self).__name__, **self._fields()}

    def _fields(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> PartitionMapper:
        return cls()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PartitionMapper) and self.serialize() == other.serialize()

    def __hash__(self) -> int:
        return hash(repr(self.serialize()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._fields()!r})"


class IdentityMapper(PartitionMapper):
    """The upstream key as it is (Airflow's default mapper)."""

    def to_downstream(self, key: str) -> str:
        return key


class _TemporalMapper(PartitionMapper):
    """Parse the key as a time (``input_format``, naive keys are in ``timezone``), move it
    to the start of its period, and format that (``output_format``)."""

    default_output_format: ClassVar[str]

    def __init__(
        self,
        *,
        timezone: ZoneLike = "UTC",
        input_format: str = "%Y-%m-%dT%H:%M:%S",
        output_format: str | None = None,
    ) -> None:
        self.timezone: Timezone | FixedTimezone = resolve_timezone(timezone)
        self.input_format = input_format
        self.output_format = output_format or self.default_output_format

    @abstractmethod
    def normalize(self, when: dt.datetime) -> dt.datetime:
        """The start of the period holding ``when`` (in the mapper's timezone)."""

    def to_downstream(self, key: str) -> str:
        try:
            when = dt.datetime.strptime(key, self.input_format)
        except ValueError as err:
            raise PartitionKeyError(
                f"{type(self).__name__}: partition key {key!r} does not match {self.input_format!r}"
            ) from err
        local = when.replace(tzinfo=self.timezone) if when.tzinfo is None else when.astimezone(self.timezone)
        return self.format(self.normalize(local))

    def format(self, start: dt.datetime) -> str:
        return start.strftime(self.output_format)

    def to_partition_date(self, downstream_key: str) -> dt.datetime | None:
        try:
            return dt.datetime.strptime(downstream_key, self.output_format).replace(tzinfo=self.timezone)
        except ValueError:
            return None

    def decode_downstream(self, downstream_key: str) -> Any:
        """The period start, naive in the mapper's timezone (windows step on naive times)."""
        start = self.to_partition_date(downstream_key)
        if start is None:
            raise PartitionKeyError(f"{type(self).__name__}: {downstream_key!r} is not one of its keys")
        return start.replace(tzinfo=None)

    def encode_upstream(self, member: Any) -> str:
        return str(member.replace(tzinfo=self.timezone).strftime(self.input_format))

    def encode_downstream(self, member: Any) -> str:
        return self.format(self.normalize(member.replace(tzinfo=self.timezone)))

    def _fields(self) -> dict[str, Any]:
        return {
            "timezone": encode_timezone(self.timezone),
            "input_format": self.input_format,
            "output_format": self.output_format,
        }

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> PartitionMapper:
        return cls(
            timezone=decode_timezone(data.get("timezone", "UTC")),
            input_format=data["input_format"],
            output_format=data["output_format"],
        )


def _midnight(when: dt.datetime) -> dt.datetime:
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


class StartOfHourMapper(_TemporalMapper):
    """``2024-03-13T10:42:15`` → ``2024-03-13T10``."""

    default_output_format = "%Y-%m-%dT%H"

    def normalize(self, when: dt.datetime) -> dt.datetime:
        return when.replace(minute=0, second=0, microsecond=0)


class StartOfDayMapper(_TemporalMapper):
    """``2024-03-13T10:42:15`` → ``2024-03-13``."""

    default_output_format = "%Y-%m-%d"

    def normalize(self, when: dt.datetime) -> dt.datetime:
        return _midnight(when)


class StartOfWeekMapper(_TemporalMapper):
    """The Monday of the ISO week: ``2024-03-13T10:42:15`` → ``2024-03-11 (W11)``."""

    default_output_format = "%Y-%m-%d (W%V)"

    def normalize(self, when: dt.datetime) -> dt.datetime:
        return _midnight(when - dt.timedelta(days=when.weekday()))

    def to_partition_date(self, downstream_key: str) -> dt.datetime | None:
        # %V does not parse back without %G; the date in front of it does.
        try:
            day = dt.datetime.strptime(downstream_key[:10], "%Y-%m-%d")
        except ValueError:
            return None
        return day.replace(tzinfo=self.timezone)


class StartOfMonthMapper(_TemporalMapper):
    """``2024-03-13T10:42:15`` → ``2024-03``."""

    default_output_format = "%Y-%m"

    def normalize(self, when: dt.datetime) -> dt.datetime:
        return _midnight(when.replace(day=1))


class StartOfQuarterMapper(_TemporalMapper):
    """``2024-03-13T10:42:15`` → ``2024-Q1`` (``{quarter}`` in the format is 1 to 4)."""

    default_output_format = "%Y-Q{quarter}"

    def normalize(self, when: dt.datetime) -> dt.datetime:
        return _midnight(when.replace(month=(when.month - 1) // 3 * 3 + 1, day=1))

    def format(self, start: dt.datetime) -> str:
        quarter = str((start.month - 1) // 3 + 1)
        return start.strftime(self.output_format.replace("{quarter}", quarter))

    def to_partition_date(self, downstream_key: str) -> dt.datetime | None:
        for quarter in range(1, 5):
            try:
                year = dt.datetime.strptime(
                    downstream_key, self.output_format.replace("{quarter}", str(quarter))
                )
            except ValueError:
                continue
            return year.replace(month=(quarter - 1) * 3 + 1, day=1, tzinfo=self.timezone)
        return None


class StartOfYearMapper(_TemporalMapper):
    """``2024-03-13T10:42:15`` → ``2024``."""

    default_output_format = "%Y"

    def normalize(self, when: dt.datetime) -> dt.datetime:
        return _midnight(when.replace(month=1, day=1))


class AllowedKeyMapper(PartitionMapper):
    """The key as it is, if it is one of ``allowed_keys`` (else PartitionKeyError)."""

    def __init__(self, allowed_keys: Iterable[str]) -> None:
        self.allowed_keys = list(allowed_keys)

    def to_downstream(self, key: str) -> str:
        if key not in self.allowed_keys:
            raise PartitionKeyError(f"partition key {key!r} is not one of {self.allowed_keys}")
        return key

    def _fields(self) -> dict[str, Any]:
        return {"allowed_keys": self.allowed_keys}

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> PartitionMapper:
        return cls(data["allowed_keys"])


class FixedKeyMapper(PartitionMapper):
    """Every upstream key becomes ``downstream_key``."""

    def __init__(self, downstream_key: str) -> None:
        if not isinstance(downstream_key, str) or not downstream_key:
            raise ScheduleError(
                f"FixedKeyMapper downstream_key must be a non-empty str; got {downstream_key!r}"
            )
        self.downstream_key = downstream_key

    def to_downstream(self, key: str) -> str:
        return self.downstream_key

    def _fields(self) -> dict[str, Any]:
        return {"downstream_key": self.downstream_key}

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> PartitionMapper:
        return cls(data["downstream_key"])


def _mappers_fields(mappers: Iterable[PartitionMapper]) -> list[dict[str, Any]]:
    return [m.serialize() for m in mappers]


class ChainMapper(PartitionMapper):
    """Each mapper applied to the previous one's key(s), in order."""

    def __init__(
        self, mapper0: PartitionMapper, mapper1: PartitionMapper, /, *mappers: PartitionMapper
    ) -> None:
        self.mappers = [_checked(m) for m in (mapper0, mapper1, *mappers)]

    def to_downstream(self, key: str) -> str | list[str]:
        keys = [key]
        for mapper in self.mappers:
            keys = [out for k in keys for out in _keys(mapper.to_downstream(k))]
        return keys[0] if len(keys) == 1 else keys

    def to_partition_date(self, downstream_key: str) -> dt.datetime | None:
        return self.mappers[-1].to_partition_date(downstream_key)

    def _fields(self) -> dict[str, Any]:
        return {"mappers": _mappers_fields(self.mappers)}

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> PartitionMapper:
        return cls(*[mapper_from_dict(m) for m in data["mappers"]])


class ProductMapper(PartitionMapper):
    """A composite key (``"us|2024-03-13T10:00:00"``): each segment through its own mapper."""

    def __init__(
        self,
        mapper0: PartitionMapper,
        mapper1: PartitionMapper,
        /,
        *mappers: PartitionMapper,
        delimiter: str = "|",
    ) -> None:
        self.mappers = [_checked(m) for m in (mapper0, mapper1, *mappers)]
        self.delimiter = delimiter

    def _segments(self, key: str) -> list[str]:
        segments = key.split(self.delimiter)
        if len(segments) != len(self.mappers):
            raise PartitionKeyError(
                f"partition key {key!r} has {len(segments)} segments split on {self.delimiter!r}, "
                f"ProductMapper expects {len(self.mappers)}"
            )
        return segments

    def to_downstream(self, key: str) -> str:
        out = []
        for mapper, segment in zip(self.mappers, self._segments(key), strict=True):
            mapped = mapper.to_downstream(segment)
            if not isinstance(mapped, str):
                raise PartitionKeyError(
                    f"ProductMapper: {type(mapper).__name__} gave several keys for {segment!r}"
                )
            out.append(mapped)
        return self.delimiter.join(out)

    def to_partition_date(self, downstream_key: str) -> dt.datetime | None:
        """The one temporal segment's date; None with none or several (ambiguous), as Airflow."""
        segments = downstream_key.split(self.delimiter)
        if len(segments) != len(self.mappers):
            return None
        dates = [d for m, s in zip(self.mappers, segments, strict=True) if (d := m.to_partition_date(s))]
        return dates[0] if len(dates) == 1 else None

    def _fields(self) -> dict[str, Any]:
        return {"mappers": _mappers_fields(self.mappers), "delimiter": self.delimiter}

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> PartitionMapper:
        return cls(*[mapper_from_dict(m) for m in data["mappers"]], delimiter=data.get("delimiter", "|"))


class RollupMapper(PartitionMapper):
    """Many upstream keys → one run: ``upstream_mapper`` gives the downstream key, and the
    run waits until ``wait_policy`` is met by the upstream keys of that period that arrived
    (``window.to_upstream`` of the decoded key, each encoded as upstream keys are)."""

    def __init__(
        self, *, upstream_mapper: PartitionMapper, window: Window, wait_policy: WaitPolicy | None = None
    ) -> None:
        self.upstream_mapper = _checked(upstream_mapper)
        window = _checked_window(window, "RollupMapper")
        is_temporal = isinstance(self.upstream_mapper, _TemporalMapper)
        if window.decodes_to_datetime != is_temporal:
            raise ScheduleError(
                f"{type(window).__name__} does not fit {type(self.upstream_mapper).__name__}: a temporal "
                "window needs a StartOf* mapper, SegmentWindow a non-temporal one"
            )
        self.window = window
        self.wait_policy = wait_policy if wait_policy is not None else WaitForAll()
        if not isinstance(self.wait_policy, WaitPolicy):
            raise ScheduleError(
                f"RollupMapper wait_policy must be WaitForAll or MinimumCount; got {wait_policy!r}"
            )

    def to_downstream(self, key: str) -> str | list[str]:
        return self.upstream_mapper.to_downstream(key)

    def upstream_keys(self, downstream_key: str) -> frozenset[str]:
        """Every upstream key the run of ``downstream_key`` is made of."""
        anchor = self.upstream_mapper.decode_downstream(downstream_key)
        return frozenset(self.upstream_mapper.encode_upstream(m) for m in self.window.to_upstream(anchor))

    def is_complete(self, downstream_key: str, arrived: Set[str]) -> bool:
        return self.wait_policy.is_satisfied(matched=arrived, expected=self.upstream_keys(downstream_key))

    def to_partition_date(self, downstream_key: str) -> dt.datetime | None:
        return self.upstream_mapper.to_partition_date(downstream_key)

    def _fields(self) -> dict[str, Any]:
        return {
            "upstream_mapper": self.upstream_mapper.serialize(),
            "window": self.window.serialize(),
            "wait_policy": self.wait_policy.serialize(),
        }

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> PartitionMapper:
        return cls(
            upstream_mapper=mapper_from_dict(data["upstream_mapper"]),
            window=window_from_dict(data["window"]),
            wait_policy=wait_policy_from_dict(data["wait_policy"]),
        )


FAN_OUT_DEFAULTS: dict[str, type[_TemporalMapper]] = {
    "DayWindow": StartOfHourMapper,
    "WeekWindow": StartOfDayMapper,
    "MonthWindow": StartOfDayMapper,
    "QuarterWindow": StartOfMonthMapper,
    "YearWindow": StartOfMonthMapper,
}
"""FanOutMapper's downstream mapper when none is given, by window (Airflow's table)."""
MAX_DOWNSTREAM_KEYS = 1000
"""Airflow's ``[scheduler] partition_mapper_max_downstream_keys`` default."""


class FanOutMapper(PartitionMapper):
    """One upstream key → one run per member of its period: ``upstream_mapper`` finds the
    period, ``window`` lists its members, ``downstream_mapper`` names each."""

    def __init__(
        self,
        *,
        upstream_mapper: PartitionMapper,
        window: Window,
        downstream_mapper: PartitionMapper | None = None,
        max_downstream_keys: int | None = None,
    ) -> None:
        self.upstream_mapper = _checked(upstream_mapper)
        self.window = _checked_window(window, "FanOutMapper")
        if downstream_mapper is None:
            default = FAN_OUT_DEFAULTS.get(type(window).__name__)
            if default is None:
                raise ScheduleError(
                    f"FanOutMapper has no default downstream_mapper for {type(window).__name__}"
                )
            downstream_mapper = default()
        self.downstream_mapper = _checked(downstream_mapper)
        self.max_downstream_keys = max_downstream_keys

    def to_downstream(self, key: str) -> list[str]:
        period = self.upstream_mapper.to_downstream(key)
        if not isinstance(period, str):
            raise PartitionKeyError(f"FanOutMapper: {type(self.upstream_mapper).__name__} gave several keys")
        members = self.window.to_upstream(self.upstream_mapper.decode_downstream(period))
        keys = list(dict.fromkeys(self.downstream_mapper.encode_downstream(m) for m in members))
        limit = self.max_downstream_keys or MAX_DOWNSTREAM_KEYS
        if len(keys) > limit:
            raise PartitionKeyError(f"partition fan-out of {key!r} gives {len(keys)} keys, more than {limit}")
        return keys

    def to_partition_date(self, downstream_key: str) -> dt.datetime | None:
        return self.downstream_mapper.to_partition_date(downstream_key)

    def _fields(self) -> dict[str, Any]:
        return {
            "upstream_mapper": self.upstream_mapper.serialize(),
            "window": self.window.serialize(),
            "downstream_mapper": self.downstream_mapper.serialize(),
            "max_downstream_keys": self.max_downstream_keys,
        }

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> PartitionMapper:
        return cls(
            upstream_mapper=mapper_from_dict(data["upstream_mapper"]),
            window=window_from_dict(data["window"]),
            downstream_mapper=mapper_from_dict(data["downstream_mapper"]),
            max_downstream_keys=data.get("max_downstream_keys"),
        )


def _checked(mapper: Any) -> PartitionMapper:
    """A mapper Brisa can serialize: one of its own (a DAG author's subclass would have to run
    in the scheduler, which never runs DAG code)."""
    if not isinstance(mapper, PartitionMapper):
        raise ScheduleError(f"{mapper!r} is not a partition mapper")
    if MAPPERS.get(type(mapper).__name__) is not type(mapper):
        raise ScheduleError(
            f"custom partition mapper {type(mapper).__name__}: a subclass of Airflow's mappers "
            "is not supported by Brisa (use the built-in mappers)"
        )
    return mapper


def _checked_window(window: Any, owner: str) -> Window:
    if not isinstance(window, Window):
        raise ScheduleError(f"{owner} window must be a partition window; got {window!r}")
    if WINDOWS.get(type(window).__name__) is not type(window):
        raise ScheduleError(
            f"custom partition window {type(window).__name__} is not supported by Brisa "
            "(use the built-in windows)"
        )
    return window


MAPPERS: dict[str, type[PartitionMapper]] = {
    cls.__name__: cls
    for cls in (
        IdentityMapper,
        StartOfHourMapper,
        StartOfDayMapper,
        StartOfWeekMapper,
        StartOfMonthMapper,
        StartOfQuarterMapper,
        StartOfYearMapper,
        AllowedKeyMapper,
        FixedKeyMapper,
        ChainMapper,
        ProductMapper,
        RollupMapper,
        FanOutMapper,
    )
}


def mapper_from_dict(data: Mapping[str, Any]) -> PartitionMapper:
    cls = MAPPERS.get(str(data.get("type")))
    if cls is None:
        raise ScheduleError(f"unknown partition mapper {data.get('type')!r}")
    return cls.from_fields(data)


def checked_mapper(mapper: Any) -> PartitionMapper:
    """``mapper`` if Brisa can serialize it, else a ScheduleError naming it."""
    return _checked(mapper)


def downstream_keys(mapper: PartitionMapper, key: str) -> list[str]:
    """Every consumer key of upstream ``key`` (a list even for a one-key mapper)."""
    return _keys(mapper.to_downstream(key))


__all__ = [
    "MAPPERS",
    "AllowedKeyMapper",
    "ChainMapper",
    "FanOutMapper",
    "FixedKeyMapper",
    "IdentityMapper",
    "PartitionKeyError",
    "PartitionMapper",
    "ProductMapper",
    "RollupMapper",
    "StartOfDayMapper",
    "StartOfHourMapper",
    "StartOfMonthMapper",
    "StartOfQuarterMapper",
    "StartOfWeekMapper",
    "StartOfYearMapper",
    "checked_mapper",
    "downstream_keys",
    "mapper_from_dict",
]
