"""The ``macros`` namespace."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from brisa.templating import macros, make_environment, render


def test_ds_add():
    assert macros.ds_add("2015-01-01", 5) == "2015-01-06"
    assert macros.ds_add("2015-01-06", -5) == "2015-01-01"
    assert macros.ds_add("2015-01-06", 0) == "2015-01-06"


def test_ds_format():
    assert macros.ds_format("2015-01-01", "%Y-%m-%d", "%m-%d-%y") == "01-01-15"
    assert macros.ds_format("1/5/2015", "%m/%d/%Y", "%Y-%m-%d") == "2015-01-05"


def test_ds_format_locale_uses_babel():
    assert (
        macros.ds_format_locale("12/07/2024", "%d/%m/%Y", "EEEE dd MMMM yyyy", "en_US")
        == "Friday 12 July 2024"
    )


def test_ds_format_locale_names_babel_when_it_is_missing(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "babel", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "babel.dates", None)
    with pytest.raises(ImportError, match=r"babel.*pip install 'brisa\[locale\]'"):
        macros.ds_format_locale("2024-07-12", "%Y-%m-%d", "yyyy")


def test_datetime_diff_for_humans():
    start = pendulum.datetime(2024, 1, 1, tz="UTC")
    assert macros.datetime_diff_for_humans(start, start.add(days=2)) == "2 days before"
    assert macros.datetime_diff_for_humans(dt.datetime(2024, 1, 3, tzinfo=dt.UTC), start) == "2 days after"


def test_standard_modules_are_reachable_from_templates():
    env = make_environment()
    context = {"macros": macros}
    template = (
        "{{ macros.datetime(2024, 1, 1) + macros.timedelta(days=1) }}|"
        "{{ macros.json.dumps({'a': 1}) }}|"
        "{{ macros.dateutil.relativedelta.relativedelta(months=1).months }}|"
        "{{ macros.uuid.UUID(int=0) }}|"
        "{{ macros.yaml.safe_load('a: 1').a }}|"
        "{{ (macros.random() < 1) and (macros.time.time() > 0) }}"
    )
    assert render(template, context, env) == (
        '2024-01-02 00:00:00|{"a": 1}|1|00000000-0000-0000-0000-000000000000|1|True'
    )


def test_plugin_macros_come_from_the_lookup_the_caller_passes_and_only_when_named():
    import types

    from brisa.templating.macros import PluginMacros

    asked = []
    shout = types.ModuleType("shout_plugin")
    shout.loud = lambda s: s.upper()  # type: ignore[attr-defined]

    def lookup(name):
        asked.append(name)
        return shout if name == "shout" else None

    namespace = PluginMacros(lookup)
    assert namespace.ds_add("2024-01-01", 1) == "2024-01-02"
    assert asked == []  # the module's own names never load plugins
    assert namespace.shout.loud("hi") == "HI"
    with pytest.raises(AttributeError):
        _ = namespace.missing
    assert asked == ["shout", "missing"]
