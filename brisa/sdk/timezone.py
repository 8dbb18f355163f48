"""``airflow.utils.timezone``: aware-datetime helpers; naive datetimes mean UTC."""

from __future__ import annotations

import datetime as dt
from typing import overload

import pendulum
from pendulum.tz.timezone import FixedTimezone, Timezone

utc = pendulum.UTC
UTC = utc


def utcnow() -> pendulum.DateTime:
    """The current time, aware, in UTC."""
    return pendulum.now(utc)


def utc_epoch() -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=utc)


def is_localized(value: dt.datetime) -> bool:
    return value.utcoffset() is not None


def is_naive(value: dt.datetime) -> bool:
    return value.utcoffset() is None


@overload
def make_aware(value: dt.datetime, timezone: dt.tzinfo | None = None) -> dt.datetime: ...
@overload
def make_aware(value: None, timezone: dt.tzinfo | None = None) -> None: ...
def make_aware(value: dt.datetime | None, timezone: dt.tzinfo | None = None) -> dt.datetime | None:
    """Attach ``timezone`` (UTC by default) to a naive datetime."""
    if value is None:
        return None
    if is_localized(value):
        raise ValueError(f"make_aware expects a naive datetime, got {value}")
    zone = timezone or utc
    if isinstance(zone, Timezone | FixedTimezone):
        return zone.convert(value)
    return value.replace(tzinfo=zone)


def make_naive(value: dt.datetime, timezone: dt.tzinfo | None = None) -> dt.datetime:
    if is_naive(value):
        raise ValueError("make_naive() cannot be applied to a naive datetime")
    return value.astimezone(timezone or utc).replace(tzinfo=None)


def convert_to_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Naive means UTC; aware values are converted."""
    if value is None:
        return None
    if is_naive(value):
        value = value.replace(tzinfo=utc)
    return pendulum.instance(value).in_timezone(utc)


@overload
def coerce_datetime(value: dt.datetime, tz: dt.tzinfo | None = None) -> pendulum.DateTime: ...
@overload
def coerce_datetime(value: None, tz: dt.tzinfo | None = None) -> None: ...
def coerce_datetime(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> pendulum.DateTime | None:
    """A pendulum DateTime: naive values get ``tz`` (UTC by default), aware ones keep theirs."""
    if value is None:
        return None
    if isinstance(value, pendulum.DateTime) and not is_naive(value):
        return value
    if is_naive(value):
        value = value.replace(tzinfo=tz or utc)
    return pendulum.instance(value)


def datetime(*args: int, **kwargs: object) -> dt.datetime:
    """``datetime.datetime`` that defaults to UTC when ``tzinfo`` is not given."""
    if "tzinfo" not in kwargs:
        kwargs["tzinfo"] = utc
    return dt.datetime(*args, **kwargs)  # type: ignore[arg-type]


def parse(string: str, timezone: dt.tzinfo | None = None, *, strict: bool = False) -> pendulum.DateTime:
    """Parse an ISO-ish date/time; naive results are taken as ``timezone`` (UTC)."""
    return pendulum.parse(string, tz=timezone or utc, strict=strict)  # type: ignore[return-value]


def parse_timezone(name: str | dt.tzinfo) -> dt.tzinfo:
    if isinstance(name, dt.tzinfo):
        return name
    return pendulum.timezone(name)


def timezone_name(tz: dt.tzinfo | None) -> str:
    """An IANA name (or ``+HH:MM`` offset) for a tzinfo; ``UTC`` for None."""
    if tz is None:
        return "UTC"
    name = getattr(tz, "name", None) or getattr(tz, "key", None) or getattr(tz, "zone", None)
    if isinstance(name, str) and name:
        return name
    offset = tz.utcoffset(None)
    if offset is None or offset == dt.timedelta(0):
        return "UTC"
    return pendulum.FixedTimezone(int(offset.total_seconds())).name


__all__ = [
    "UTC",
    "coerce_datetime",
    "convert_to_utc",
    "datetime",
    "is_localized",
    "is_naive",
    "make_aware",
    "make_naive",
    "parse",
    "parse_timezone",
    "timezone_name",
    "utc",
    "utc_epoch",
    "utcnow",
]
