from datetime import UTC, datetime, timedelta, timezone

import pytest

from brisa.states import TaskState
from brisa.ui.formatting import format_datetime, format_duration, pretty_json, state_class, url_part


def test_datetimes_are_shown_in_utc() -> None:
    local = datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert format_datetime(local) == "2026-01-02 03:04:05"
    assert format_datetime(datetime(2026, 1, 2, tzinfo=UTC), seconds=False) == "2026-01-02 00:00"
    assert format_datetime(None) == ""


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.25, "250 ms"), (5.21, "5.2 s"), (185, "3 min 05 s"), (7620, "2 h 07 min"), (273600, "3 d 04 h")],
)
def test_durations(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_state_classes_only_for_known_states() -> None:
    assert state_class(TaskState.UP_FOR_RETRY) == "st-up_for_retry"
    assert state_class("success") == "st-success"
    assert state_class(None) == "st-none"
    assert state_class('x" onclick="y') == "st-none"


def test_url_parts_escape_everything_reserved() -> None:
    assert url_part("a/b?c#d e+f") == "a%2Fb%3Fc%23d%20e%2Bf"


def test_pretty_json_keeps_text_and_shows_anything() -> None:
    assert pretty_json("already text") == "already text"
    assert pretty_json({"b": 1, "a": datetime(2026, 1, 1)}) == '{\n  "a": "2026-01-01 00:00:00",\n  "b": 1\n}'
