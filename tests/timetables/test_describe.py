"""Schedules in words; the cron cases are cron-descriptor's output as shown by Airflow 2.10."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from brisa.timetables.describe import describe_cron, describe_delta


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("0 0 * * *", "At 00:00"),
        ("30 21 * * 5", "At 21:30, only on Friday"),
        ("*/5 * * * *", "Every 5 minutes"),
        ("0 * * * *", "Every hour"),
        ("* * * * *", "Every minute"),
        ("0 0 1 */3 *", "At 00:00, on day 1 of the month, every 3 months"),
        ("0 0 1 1 *", "At 00:00, on day 1 of the month, only in January"),
        ("15 */2 * * *", "At 15 minutes past the hour, every 2 hours"),
        ("0 */2 * * *", "Every 2 hours"),
        ("0 9-17 * * 1-5", "At 0 minutes past the hour, between 09:00 and 17:59, Monday through Friday"),
        ("0 0 1,15 * *", "At 00:00, on day 1 and 15 of the month"),
        ("0 9,17 * * *", "At 09:00 and 17:00"),
        ("0 0 * * 0", "At 00:00, only on Sunday"),
    ],
)
def test_cron_descriptions_match_airflow(expression, words):
    assert describe_cron(expression) == words


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("@annually", "At 00:00, on day 1 of the month, only in January"),
        ("0 6 * * MON,FRI", "At 06:00, only on Monday and Friday"),
        ("0 6 * JAN-MAR *", "At 06:00, January through March"),
        ("0 6 1 * 1", "At 06:00, on day 1 of the month (or) only on Monday"),
        ("0 6 L * *", "At 06:00, on the last day of the month"),
        ("5-10 * * * *", "Minutes 5 through 10 past the hour"),
        ("0 0 * * * 30", ""),  # six fields: Airflow shows no description either
    ],
)
def test_other_cron_shapes(expression, words):
    assert describe_cron(expression) == words


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (dt.timedelta(days=1), "Every day"),
        (dt.timedelta(hours=6), "Every 6 hours"),
        (dt.timedelta(days=1, hours=2, minutes=30), "Every 1 day, 2 hours and 30 minutes"),
        (relativedelta(months=1), "Every month"),
        (relativedelta(years=1, days=2), "Every 1 year and 2 days"),
    ],
)
def test_delta_descriptions(delta, words):
    assert describe_delta(delta) == words
