"""``BranchDateTimeOperator``: branch on whether now (or the logical date) is in a window."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, overload

from brisa.sdk.exceptions import AirflowException
from brisa.sdk.operators.branch import BaseBranchOperator
from brisa.sdk.operators.weekday import now_or_logical_date


def target_times_as_dates(
    base: datetime.datetime,
    lower: datetime.datetime | datetime.time | None,
    upper: datetime.datetime | datetime.time | None,
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """Times of day become datetimes on ``base``'s date; an upper bound before the
    lower one moves to the next day."""
    if isinstance(lower, datetime.time):
        lower = datetime.datetime.combine(base.date(), lower)
    if isinstance(upper, datetime.time):
        upper = datetime.datetime.combine(base.date(), upper)
    if lower is not None and upper is not None and upper < lower:
        upper = upper + datetime.timedelta(days=1)
    return lower, upper


@overload
def _naive(value: datetime.datetime) -> datetime.datetime: ...
@overload
def _naive(value: None) -> None: ...
def _naive(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.replace(tzinfo=None)


class BranchDateTimeOperator(BaseBranchOperator):
    """Follow ``follow_task_ids_if_true`` when ``target_lower <= now <= target_upper``."""

    def __init__(
        self,
        *,
        follow_task_ids_if_true: str | Iterable[str],
        follow_task_ids_if_false: str | Iterable[str],
        target_lower: datetime.datetime | datetime.time | None = None,
        target_upper: datetime.datetime | datetime.time | None = None,
        use_task_logical_date: bool = False,
        use_task_execution_date: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if target_lower is None and target_upper is None:
            raise AirflowException(
                "Both target_upper and target_lower are None. At least one must be defined to be compared "
                "to the current datetime"
            )
        self.target_lower = target_lower
        self.target_upper = target_upper
        self.follow_task_ids_if_true = follow_task_ids_if_true
        self.follow_task_ids_if_false = follow_task_ids_if_false
        self.use_task_logical_date = use_task_logical_date or use_task_execution_date

    def choose_branch(self, context: dict[str, Any]) -> str | Iterable[str]:
        now = _naive(now_or_logical_date(context, self._dag, self.use_task_logical_date))
        lower, upper = target_times_as_dates(now, self.target_lower, self.target_upper)
        lower, upper = _naive(lower), _naive(upper)
        if upper is not None and upper < now:
            return self.follow_task_ids_if_false
        if lower is not None and lower > now:
            return self.follow_task_ids_if_false
        return self.follow_task_ids_if_true


__all__ = ["BranchDateTimeOperator", "target_times_as_dates"]
