"""The ``macros`` namespace of templates: ``{{ macros.ds_add(ds, 7) }}``.

Airflow's ``airflow.macros`` (2.x) and ``airflow.sdk.execution_time.macros`` (3.x):
a few standard modules plus date helpers.  A DAG's ``user_defined_macros`` do not go
here; they become top-level template names (environment globals).  The macros of a
plugin are ``macros.<plugin name>``: once a process has loaded its plugins they are
attributes of this module (``brisa.plugins`` sets them, as Airflow's
``integrate_macros_plugins``); before that, a template context built with
:class:`PluginMacros` asks the caller's lookup the first time a template names one.
This package is pure: it never loads plugins (user code) itself.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from random import random
from types import ModuleType
from typing import Any

import dateutil
import dateutil.parser
import dateutil.relativedelta
import dateutil.tz
import pendulum
import yaml


def ds_add(ds: str, days: int) -> str:
    """Add (or with a negative number subtract) days to a ``YYYY-MM-DD`` date.

    >>> ds_add("2015-01-01", 5)
    '2015-01-06'
    """
    if not days:
        return str(ds)
    return (datetime.strptime(str(ds), "%Y-%m-%d") + timedelta(days=days)).strftime("%Y-%m-%d")


def ds_format(ds: str, input_format: str, output_format: str) -> str:
    """Reformat a date string: ``ds_format("2015-01-01", "%Y-%m-%d", "%m-%d-%y")`` is ``01-01-15``."""
    return datetime.strptime(str(ds), input_format).strftime(output_format)


def ds_format_locale(ds: str, input_format: str, output_format: str, locale: Any = None) -> str:
    """Reformat a date string with a Babel (CLDR) pattern in a locale (Airflow 2.10+).

    ``ds_format_locale("12/07/2024", "%d/%m/%Y", "EEEE dd MMMM yyyy", "en_US")`` is
    ``Friday 12 July 2024``.  Needs the ``babel`` package, as in Airflow: Brisa's ``locale`` extra.
    """
    try:
        from babel import Locale
        from babel.dates import LC_TIME, format_datetime
    except ImportError as exc:
        raise ImportError(
            "macros.ds_format_locale needs the 'babel' package: pip install 'brisa[locale]'"
        ) from exc
    return format_datetime(
        datetime.strptime(str(ds), input_format),
        format=output_format,
        locale=locale or LC_TIME or Locale("en_US"),
    )


def datetime_diff_for_humans(dt: Any, since: datetime | None = None) -> str:
    """``2 days ago``-style difference between ``dt`` and ``since`` (default: now)."""
    return str(pendulum.instance(dt).diff_for_humans(since))


PluginMacrosLookup = Callable[[str], ModuleType | None]
"""``plugin name -> its macros module`` (or None): loads the plugins on first use."""


class PluginMacros:
    """The ``macros`` of a template context: this module, then the plugins' macros.

    The caller (the task runner, above the plugins) passes ``lookup``, so a try whose
    templates name no plugin macro never pays for loading the plugins folder.
    """

    def __init__(self, lookup: PluginMacrosLookup) -> None:
        self._lookup = lookup

    def __getattr__(self, name: str) -> Any:
        module = sys.modules[__name__]
        if name.startswith("_") or hasattr(module, name):
            return getattr(module, name)
        found = self._lookup(name)
        if found is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return found

    def __dir__(self) -> list[str]:
        return dir(sys.modules[__name__])


__all__ = [
    "PluginMacros",
    "PluginMacrosLookup",
    "datetime",
    "datetime_diff_for_humans",
    "dateutil",
    "ds_add",
    "ds_format",
    "ds_format_locale",
    "json",
    "random",
    "time",
    "timedelta",
    "uuid",
    "yaml",
]
