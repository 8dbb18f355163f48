"""Airflow plugins: the plugins folder's ``AirflowPlugin`` subclasses (timetables, macros)."""

from brisa.plugins.base import AirflowPlugin, AirflowPluginException, is_plugin_class
from brisa.plugins.manager import (
    ENTRY_POINT_GROUP,
    LoadedPlugins,
    active_plugins,
    configure_plugins,
    load_plugins,
    plugins_folder,
    qualname,
    registered_timetables,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "AirflowPlugin",
    "AirflowPluginException",
    "LoadedPlugins",
    "active_plugins",
    "configure_plugins",
    "is_plugin_class",
    "load_plugins",
    "plugins_folder",
    "qualname",
    "registered_timetables",
]
