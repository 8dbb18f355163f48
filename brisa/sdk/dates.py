"""``airflow.utils.dates``: ``days_ago`` and the old cron presets."""

from __future__ import annotations

from datetime import datetime, timedelta

from brisa.sdk import timezone

cron_presets: dict[str, str] = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
}


def days_ago(n: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0) -> datetime:
    """Midnight UTC (or the given time of day) ``n`` days before today.

    Airflow's meaning: today's date in UTC, at the given time, minus ``n`` days.
    """
    today = timezone.utcnow().replace(hour=hour, minute=minute, second=second, microsecond=microsecond)
    return today - timedelta(days=n)


def parse_execution_date(execution_date_str: str) -> datetime:
    return timezone.parse(execution_date_str)


def date_range(
    start_date: datetime,
    end_date: datetime | None = None,
    num: int | None = None,
    delta: timedelta | None = None,
) -> list[datetime]:
    """Dates from ``start_date`` every ``delta``, up to ``end_date`` or ``num`` of them."""
    if delta is None:
        return []
    if end_date is None and num is None:
        end_date = timezone.utcnow()
    dates: list[datetime] = []
    if num is not None:
        step = delta if num > 0 else -delta
        current = start_date
        for _ in range(abs(num)):
            dates.append(current)
            current = current + step
        return sorted(dates)
    current = start_date
    while end_date is not None and current <= end_date:
        dates.append(current)
        current = current + delta
    return dates


__all__ = ["cron_presets", "date_range", "days_ago", "parse_execution_date"]
