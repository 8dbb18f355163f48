"""The checks on a new run's conf and run id walk values without recursion."""

from __future__ import annotations

import pytest

from brisa.errors import InvalidInputError
from brisa.services.limits import TOO_DEEP, RunLimits, check_conf, check_run_id, json_depth, shown_conf


def _nested(levels: int, leaf: object = 1) -> dict:
    value: object = leaf
    for _ in range(levels):
        value = {"a": [value]} if levels % 2 else {"a": value}
    return value  # type: ignore[return-value]


def test_depth_counts_dicts_and_lists_and_stops_early() -> None:
    assert json_depth(1) == 0
    assert json_depth({}) == 1
    assert json_depth({"a": [1, {"b": 2}]}) == 3
    assert json_depth(_nested(200_000), stop_after=10) == 11


def test_check_conf_refuses_deep_big_and_non_finite_values() -> None:
    limits = RunLimits(max_conf_depth=5, max_conf_bytes=100)
    check_conf({"a": {"b": {"c": {"d": 1}}}}, limits)
    for conf, message in (
        (_nested(200_000), "nested more than 5"),
        ({"x": "y" * 100}, "at most 100"),
        ({"x": [float("inf")]}, "NaN or Infinity"),
        ([1], "JSON object"),
    ):
        with pytest.raises(InvalidInputError, match=message):
            check_conf(conf, limits)


def test_a_setting_cannot_lift_the_depth_ceiling() -> None:
    with pytest.raises(InvalidInputError, match="more than 200"):
        check_conf(_nested(201), RunLimits(max_conf_depth=10_000))


def test_shown_conf_cuts_only_what_is_too_deep() -> None:
    small = {"a": [1, {"b": 2}]}
    assert shown_conf(small) is small
    cut = shown_conf({"keep": 1, "deep": {"a": {"b": {"c": 1}}}}, max_depth=2)
    assert cut == {"keep": 1, "deep": {"a": TOO_DEEP}}
    assert json_depth(shown_conf(_nested(100_000))) == 200


@pytest.mark.parametrize("run_id", ["ok-1.2:3+4~5_6", "manual__2026-01-01T00:00:00.123456+00:00"])
def test_run_ids_airflow_accepts(run_id: str) -> None:
    check_run_id(run_id, r"^[A-Za-z0-9_.~:+-]+$")


@pytest.mark.parametrize("run_id", ["", " ", "a/b", "a\x00", "..", ".", "x" * 251, "a b", "new\n"])
def test_run_ids_refused(run_id: str) -> None:
    with pytest.raises(InvalidInputError):
        check_run_id(run_id, r"^[A-Za-z0-9_.~:+-]+$")


def test_generated_run_ids_pass_any_pattern() -> None:
    check_run_id("scheduled__2026-01-01T00:00:00+00:00", r"^x$")
    with pytest.raises(InvalidInputError, match="allowed_run_id_pattern"):
        check_run_id("mine", r"^x$")


def test_naive_dates_are_read_as_utc_not_a_type_error() -> None:
    from datetime import datetime

    from brisa.errors import InvalidInputError
    from brisa.services.limits import check_date

    check_date("logical_date", datetime(2024, 1, 2))
    with pytest.raises(InvalidInputError, match="out of range"):
        check_date("logical_date", datetime(9999, 1, 1))
