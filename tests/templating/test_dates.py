"""How template dates print per generation."""

from __future__ import annotations

import datetime as dt

import pendulum

from brisa.templating import IsoDateTime, template_datetime


def test_generation_2_prints_with_a_t_like_pendulum_2():
    value = template_datetime(dt.datetime(2015, 6, 1), "2")
    assert isinstance(value, IsoDateTime) and isinstance(value, pendulum.DateTime)
    assert str(value) == "2015-06-01T00:00:00+00:00"
    assert str(value.add(days=1)) == "2015-06-02T00:00:00+00:00"
    assert str(value + dt.timedelta(hours=1)) == "2015-06-01T01:00:00+00:00"
    assert str(value.in_timezone("Europe/Amsterdam")) == "2015-06-01T02:00:00+02:00"
    assert repr(value) == "DateTime(2015, 6, 1, 0, 0, 0, tzinfo=Timezone('UTC'))"
    assert value == pendulum.datetime(2015, 6, 1, tz="UTC")


def test_generation_3_prints_like_pendulum_3():
    value = template_datetime(pendulum.datetime(2015, 6, 1, 2, tz="Europe/Amsterdam"), "3")
    assert type(value) is pendulum.DateTime
    assert str(value) == "2015-06-01 00:00:00+00:00"
    assert value.timezone_name == "UTC"


def test_none_stays_none():
    assert template_datetime(None, "2") is None
