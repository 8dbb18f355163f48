"""The Jinja environment Airflow renders task templates in.

Airflow's defaults (``DAG.get_template_env``): a sandboxed environment that still
allows ``_private`` attributes, ``StrictUndefined`` (a typo is an error, not an empty
string), the ``do`` extension, no template cache, the date filters below, and the DAG's
``user_defined_macros`` as globals and ``user_defined_filters`` as filters.  With
``render_template_as_native_obj`` the environment is jinja2's native one instead, so
``"{{ [1, 2] }}"`` renders to a list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import jinja2
import jinja2.nativetypes
import jinja2.sandbox


def ds_filter(value: dt.date | None) -> str | None:
    """``2018-01-01``."""
    return None if value is None else value.strftime("%Y-%m-%d")


def ds_nodash_filter(value: dt.date | None) -> str | None:
    """``20180101``."""
    return None if value is None else value.strftime("%Y%m%d")


def ts_filter(value: dt.date | None) -> str | None:
    """``2018-01-01T00:00:00+00:00``."""
    return None if value is None else value.isoformat()


def ts_nodash_filter(value: dt.date | None) -> str | None:
    """``20180101T000000``."""
    return None if value is None else value.strftime("%Y%m%dT%H%M%S")


def ts_nodash_with_tz_filter(value: dt.date | None) -> str | None:
    """``20180101T000000+0000``."""
    return None if value is None else value.isoformat().replace("-", "").replace(":", "")


FILTERS: dict[str, Callable[[Any], str | None]] = {
    "ds": ds_filter,
    "ds_nodash": ds_nodash_filter,
    "ts": ts_filter,
    "ts_nodash": ts_nodash_filter,
    "ts_nodash_with_tz": ts_nodash_with_tz_filter,
}


class SandboxedEnvironment(jinja2.sandbox.SandboxedEnvironment):
    """The default environment: sandboxed, but ``_name`` attributes are reachable."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters.update(FILTERS)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Airflow blocks only dunder/internal attributes, not every leading underscore.
        return not jinja2.sandbox.is_internal_attribute(obj, attr)


class NativeEnvironment(jinja2.nativetypes.NativeEnvironment):
    """``render_template_as_native_obj=True``: templates render to Python objects."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters.update(FILTERS)


def make_environment(
    *,
    searchpath: Iterable[str] = (),
    user_defined_macros: Mapping[str, Any] | None = None,
    user_defined_filters: Mapping[str, Callable[..., Any]] | None = None,
    native: bool = False,
    undefined: type[jinja2.Undefined] = jinja2.StrictUndefined,
    environment_kwargs: Mapping[str, Any] | None = None,
) -> jinja2.Environment:
    """Airflow's template environment for one DAG.

    ``searchpath`` is where template files are looked up: Airflow uses the DAG file's
    folder followed by ``template_searchpath``.  ``undefined`` is the DAG's
    ``template_undefined`` and ``environment_kwargs`` its ``jinja_environment_kwargs``
    (which override the defaults, as in Airflow).
    """
    options: dict[str, Any] = {
        "loader": jinja2.FileSystemLoader(list(searchpath)),
        "undefined": undefined,
        "extensions": ["jinja2.ext.do"],
        "cache_size": 0,
    }
    options.update(environment_kwargs or {})
    env: jinja2.Environment = NativeEnvironment(**options) if native else SandboxedEnvironment(**options)
    env.globals.update(user_defined_macros or {})
    env.filters.update(user_defined_filters or {})
    return env


def warm_up() -> None:
    """Called by the zygote before it forks: build an environment and compile a template.

    The first environment imports ``jinja2.ext`` and compiles the lexer's regular
    expressions (jinja2 caches lexers by syntax settings); done here once, every task
    process inherits both instead of spending ~5 ms of CPU on them.
    """
    make_environment().from_string("{{ value | ds }}{% do [] %}")


def is_native(env: jinja2.Environment) -> bool:
    return isinstance(env, jinja2.nativetypes.NativeEnvironment)


__all__ = [
    "FILTERS",
    "NativeEnvironment",
    "SandboxedEnvironment",
    "ds_filter",
    "ds_nodash_filter",
    "is_native",
    "make_environment",
    "ts_filter",
    "ts_nodash_filter",
    "ts_nodash_with_tz_filter",
]
