"""JSON for values that cross process boundaries: XComs, trigger conf, task messages.

Plain JSON plus a tag for the types Airflow users pass around in XComs and expect to
get back as the same type: datetimes (pendulum or stdlib), dates, timedeltas, sets,
tuples and decimals.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

_TAG = "__brisa_type__"
RESERVED_KEY = _TAG
"""The key :func:`dumps` tags typed values with; a plain dict using it would not round-trip."""


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {_TAG: "tuple", "value": [_encode(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {_TAG: "set", "value": [_encode(v) for v in sorted(value, key=repr)]}
    if isinstance(value, dt.datetime):
        return {_TAG: "datetime", "value": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG: "date", "value": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {_TAG: "timedelta", "value": value.total_seconds()}
    if isinstance(value, decimal.Decimal):
        return {_TAG: "decimal", "value": str(value)}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return _encode(dataclasses.asdict(value))
    raise TypeError(
        f"cannot store a value of type {type(value).__name__} in an XCom: use JSON-compatible values "
        "(str, int, float, bool, None, list, dict, datetime, date, timedelta, set, tuple, Decimal)"
    )


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(_TAG)
    if tag is None:
        return {k: _decode(v) for k, v in value.items()}
    raw = value["value"]
    if tag == "tuple":
        return tuple(_decode(v) for v in raw)
    if tag == "set":
        return {_decode(v) for v in raw}
    if tag == "datetime":
        import pendulum

        return pendulum.parse(raw) if "+" in raw or raw.endswith("Z") else dt.datetime.fromisoformat(raw)
    if tag == "date":
        return dt.date.fromisoformat(raw)
    if tag == "timedelta":
        return dt.timedelta(seconds=raw)
    if tag == "decimal":
        return decimal.Decimal(raw)
    return {k: _decode(v) for k, v in value.items()}


def dumps(value: Any) -> str:
    return json.dumps(_encode(value), separators=(",", ":"), allow_nan=True)


def loads(text: str | None) -> Any:
    if text is None:
        return None
    return _decode(json.loads(text))


def has_reserved_key(value: Any) -> bool:
    """Whether a JSON value has a dict with :data:`RESERVED_KEY`, which :func:`loads` would
    read back as a typed value (or fail on): such values come from outside, never from dumps."""
    if isinstance(value, dict):
        return _TAG in value or any(has_reserved_key(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(has_reserved_key(item) for item in value)
    return False


def to_jsonable(value: Any) -> Any:
    """The JSON shape of a stored value, as the REST API shows it (tags removed)."""
    decoded = _decode(value) if not isinstance(value, str) else value
    return json.loads(json.dumps(decoded, default=str))


__all__ = ["RESERVED_KEY", "dumps", "has_reserved_key", "loads", "to_jsonable"]
