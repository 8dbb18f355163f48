"""Week days (``airflow.utils.weekday``) and ``BranchDayOfWeekOperator``."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from brisa.sdk import timezone
from brisa.sdk.operators.branch import BaseBranchOperator


@enum.unique
class WeekDay(enum.IntEnum):
    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7

    @classmethod
    def get_weekday_number(cls, week_day_str: str) -> int:
        try:
            return cls[week_day_str.upper()].value
        except KeyError:
            raise AttributeError(f'Invalid Week Day passed: "{week_day_str}"') from None

    @classmethod
    def convert(cls, day: str | WeekDay) -> int:
        if isinstance(day, WeekDay):
            return day.value
        return cls.get_weekday_number(day)

    @classmethod
    def validate_week_day(cls, week_day: str | WeekDay | Iterable[str | WeekDay]) -> set[int]:
        if isinstance(week_day, str | WeekDay):
            return {cls.convert(week_day)}
        days = set()
        for day in week_day:
            if not isinstance(day, str | WeekDay):
                raise TypeError(f"Unsupported Type for week_day parameter: {type(day)}")
            days.add(cls.convert(day))
        return days


def now_or_logical_date(context: dict[str, Any], dag: Any, use_logical_date: bool) -> Any:
    """The run's logical date, or now in the DAG's time zone (naive, as Airflow)."""
    if use_logical_date:
        return context["logical_date"]
    zone = getattr(dag, "timezone", None) or timezone.utc
    return timezone.make_naive(timezone.utcnow(), zone)


class BranchDayOfWeekOperator(BaseBranchOperator):
    """Follow ``follow_task_ids_if_true`` on the given week day(s), else the other branch."""

    def __init__(
        self,
        *,
        follow_task_ids_if_true: str | Iterable[str],
        follow_task_ids_if_false: str | Iterable[str],
        week_day: str | Iterable[str] | WeekDay | Iterable[WeekDay],
        use_task_logical_date: bool = False,
        use_task_execution_date: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.follow_task_ids_if_true = follow_task_ids_if_true
        self.follow_task_ids_if_false = follow_task_ids_if_false
        self.week_day = week_day
        self.use_task_logical_date = use_task_logical_date or use_task_execution_date
        self._week_day_num = WeekDay.validate_week_day(week_day)

    def choose_branch(self, context: dict[str, Any]) -> str | Iterable[str]:
        now = now_or_logical_date(context, self._dag, self.use_task_logical_date)
        if now.isoweekday() in self._week_day_num:
            return self.follow_task_ids_if_true
        return self.follow_task_ids_if_false


__all__ = ["BranchDayOfWeekOperator", "WeekDay", "now_or_logical_date"]
