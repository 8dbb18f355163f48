"""``DayOfWeekSensor``: wait until the given week day(s)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from brisa.sdk.operators.weekday import WeekDay, now_or_logical_date
from brisa.sdk.sensors.base import BaseSensorOperator


class DayOfWeekSensor(BaseSensorOperator):
    def __init__(
        self,
        *,
        week_day: str | Iterable[str] | WeekDay | Iterable[WeekDay],
        use_task_logical_date: bool = False,
        use_task_execution_day: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.week_day = week_day
        self.use_task_logical_date = use_task_logical_date or use_task_execution_day
        self._week_day_num = WeekDay.validate_week_day(week_day)

    def poke(self, context: dict[str, Any]) -> bool:
        now = now_or_logical_date(context, self._dag, self.use_task_logical_date)
        return now.isoweekday() in self._week_day_num


__all__ = ["DayOfWeekSensor"]
