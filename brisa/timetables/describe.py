"""Schedules in human words, for the UI (Airflow uses the cron-descriptor package).

The wording follows cron-descriptor's for the common shapes ("At 00:00",
"Every 5 minutes", "At 21:30, only on Friday"); unusual fields fall back to naming
the raw field, which is still readable.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAY_NAMES = {name[:3].lower(): i for i, name in enumerate(_DAYS[:7])}
_MONTH_NAMES = {name[:3].lower(): i for i, name in enumerate(_MONTHS) if name}
_ALIASES = {"@annually": "0 0 1 1 *", "@yearly": "0 0 1 1 *", "@midnight": "0 0 * * *"}


def describe_cron(expression: str) -> str:
    """``At 21:30, only on Friday`` for ``30 21 * * 5``; empty when not five fields."""
    fields = _ALIASES.get(expression, expression).split()
    if len(fields) != 5:
        return ""
    minute, hour, dom, month, dow = fields
    days = [p for p in (_dom_phrase(dom), _dow_phrase(dow)) if p]
    parts = [_time_phrase(minute, hour), " (or) ".join(days), _month_phrase(month)]
    return ", ".join(p for p in parts if p)


def describe_delta(delta: dt.timedelta | relativedelta) -> str:
    """``Every day``, ``Every 6 hours``, ``Every 1 month and 2 days``."""
    if isinstance(delta, dt.timedelta):
        minutes, seconds = divmod(int(delta.total_seconds()), 60)
        hours, minutes = divmod(minutes, 60)
        days, hours = divmod(hours, 24)
        units = [(days, "day"), (hours, "hour"), (minutes, "minute"), (seconds, "second")]
    else:
        units = [
            (delta.years, "year"),
            (delta.months, "month"),
            (delta.days, "day"),
            (delta.hours, "hour"),
            (delta.minutes, "minute"),
            (delta.seconds, "second"),
        ]
    present = [(n, unit) for n, unit in units if n]
    if not present:  # only sub-second or absolute fields
        return f"Every {delta}"
    if len(present) == 1 and present[0][0] == 1:
        return f"Every {present[0][1]}"
    return "Every " + _join([f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in present])


def _time_phrase(minute: str, hour: str) -> str:
    minutes, hours = _numbers(minute), _numbers(hour)
    if minutes is not None and len(minutes) == 1 and hours is not None:
        return "At " + _join([f"{h:02d}:{minutes[0]:02d}" for h in hours])
    if minute == "0" and hour == "*":
        return "Every hour"
    if minute == "0" and _step(hour):
        return f"Every {_step(hour)} hours"
    return ", ".join(p for p in (_minute_phrase(minute), _hour_phrase(hour)) if p)


def _minute_phrase(minute: str) -> str:
    if minute == "*":
        return "Every minute"
    if _step(minute):
        return f"Every {_step(minute)} minutes"
    if (values := _numbers(minute)) is not None:
        return f"At {_join([str(v) for v in values])} minutes past the hour"
    if (bounds := _range(minute)) is not None:
        return f"Minutes {bounds[0]} through {bounds[1]} past the hour"
    return f"At minute {minute}"


def _hour_phrase(hour: str) -> str:
    if hour == "*":
        return ""
    if _step(hour):
        return f"every {_step(hour)} hours"
    if (values := _numbers(hour)) is not None and len(values) == 1:
        return f"between {values[0]:02d}:00 and {values[0]:02d}:59"
    if (bounds := _range(hour)) is not None:
        return f"between {bounds[0]:02d}:00 and {bounds[1]:02d}:59"
    if values is not None:
        return "at " + _join([f"{v:02d}:00" for v in values]) + " hours"
    return f"hour {hour}"


def _dom_phrase(dom: str) -> str:
    if dom in ("*", "?"):
        return ""
    if dom.upper() == "L":
        return "on the last day of the month"
    if _step(dom):
        return f"every {_step(dom)} days"
    if (values := _numbers(dom)) is not None:
        return f"on day {_join([str(v) for v in values])} of the month"
    if (bounds := _range(dom)) is not None:
        return f"between day {bounds[0]} and {bounds[1]} of the month"
    return f"on day-of-month {dom}"


def _dow_phrase(dow: str) -> str:
    if dow in ("*", "?"):
        return ""
    if _step(dow):
        return f"every {_step(dow)} days of the week"
    if (values := _numbers(dow, _DAY_NAMES)) is not None and all(v < len(_DAYS) for v in values):
        return "only on " + _join([_DAYS[v] for v in values])
    if (bounds := _range(dow, _DAY_NAMES)) is not None and bounds[1] < len(_DAYS):
        return f"{_DAYS[bounds[0]]} through {_DAYS[bounds[1]]}"
    return f"on day-of-week {dow}"


def _month_phrase(month: str) -> str:
    if month == "*":
        return ""
    if _step(month):
        return f"every {_step(month)} months"
    if (values := _numbers(month, _MONTH_NAMES)) is not None and all(0 < v <= 12 for v in values):
        return "only in " + _join([_MONTHS[v] for v in values])
    if (bounds := _range(month, _MONTH_NAMES)) is not None and 0 < bounds[0] <= bounds[1] <= 12:
        return f"{_MONTHS[bounds[0]]} through {_MONTHS[bounds[1]]}"
    return f"in month {month}"


def _numbers(field: str, names: dict[str, int] | None = None) -> list[int] | None:
    """The values of a plain list field (``5``, ``1,15``, ``MON,FRI``), else None."""
    values = [_number(part, names) for part in field.split(",")]
    return None if None in values else values  # type: ignore[return-value]


def _number(text: str, names: dict[str, int] | None) -> int | None:
    if text.isdigit():
        return int(text)
    return (names or {}).get(text.lower())


def _range(field: str, names: dict[str, int] | None = None) -> tuple[int, int] | None:
    low, sep, high = field.partition("-")
    if not sep:
        return None
    bounds = (_number(low, names), _number(high, names))
    return None if None in bounds else bounds  # type: ignore[return-value]


def _step(field: str) -> int | None:
    """``n`` for ``*/n`` and ``0/n``."""
    base, sep, step = field.partition("/")
    return int(step) if sep and base in ("*", "0") and step.isdigit() else None


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


__all__ = ["describe_cron", "describe_delta"]
