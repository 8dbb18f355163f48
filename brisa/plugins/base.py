"""``AirflowPlugin``: what a module of the plugins folder declares (``airflow.plugins_manager``).

Brisa uses ``name``, ``timetables``, ``macros`` and ``on_load``; the other attributes
Airflow defines (operator extra links, hooks, executors, Flask/FastAPI views,
listeners...) are accepted and listed by ``brisa plugins`` but not used, so a plugin
written for Airflow loads unchanged.
"""

from __future__ import annotations

from typing import Any, ClassVar

from brisa.errors import PluginError


class AirflowPluginException(PluginError):
    """A plugin class is malformed (Airflow's ``AirflowPluginException``)."""


class AirflowPlugin:
    """Subclass it in a module of the plugins folder; Brisa collects every subclass."""

    name: ClassVar[str | None] = None
    source: Any = None
    timetables: ClassVar[list[type]] = []
    macros: ClassVar[list[Any]] = []
    operator_extra_links: ClassVar[list[Any]] = []
    global_operator_extra_links: ClassVar[list[Any]] = []
    # Airflow's other attributes: accepted, not used by Brisa.
    hooks: ClassVar[list[Any]] = []
    executors: ClassVar[list[Any]] = []
    admin_views: ClassVar[list[Any]] = []
    flask_blueprints: ClassVar[list[Any]] = []
    menu_links: ClassVar[list[Any]] = []
    appbuilder_views: ClassVar[list[Any]] = []
    appbuilder_menu_items: ClassVar[list[Any]] = []
    fastapi_apps: ClassVar[list[Any]] = []
    fastapi_root_middlewares: ClassVar[list[Any]] = []
    external_views: ClassVar[list[Any]] = []
    react_apps: ClassVar[list[Any]] = []
    listeners: ClassVar[list[Any]] = []
    priority_weight_strategies: ClassVar[list[Any]] = []

    @classmethod
    def validate(cls) -> None:
        if not cls.name:
            raise AirflowPluginException("Your plugin needs a name.")

    @classmethod
    def on_load(cls, *args: Any, **kwargs: Any) -> None:
        """Called once when the plugin is loaded; override to set things up."""


def is_plugin_class(value: Any) -> bool:
    """A subclass of ``AirflowPlugin`` (not the base itself) with a valid ``name``."""
    if not isinstance(value, type) or not issubclass(value, AirflowPlugin) or value is AirflowPlugin:
        return False
    value.validate()
    return True


__all__ = ["AirflowPlugin", "AirflowPluginException", "is_plugin_class"]
