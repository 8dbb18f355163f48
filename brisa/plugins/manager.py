"""Loading the plugins folder the way Airflow's ``plugins_manager`` does.

Every ``.py`` file under ``[core] plugins_folder`` (``.airflowignore`` honoured) is run
as a module named after its file (``workday.py`` is module ``workday``), and each
``AirflowPlugin`` subclass found in it is instantiated, ``on_load``-ed and kept; so are
the plugins of the ``airflow.plugins`` entry point group.  A file that fails is logged
and listed by ``brisa plugins``, never fatal.  The folder is also put on ``sys.path``, so
DAG files can ``from workday import AfterWorkdayTimetable``.

Each process loads the folder once, on first need (a custom timetable to serialize or
deserialize, a template asking for ``macros.<plugin name>``): the CLI sets the folder from ``Settings``
(:func:`configure_plugins`), and a process started another way reads it from its
environment then.  Forked children inherit what their parent loaded.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
import sys
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brisa.plugins.base import AirflowPlugin, is_plugin_class
from brisa.timetables.custom import qualname

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "airflow.plugins"


@dataclass
class LoadedPlugins:
    """The plugins of one folder (and the entry points), and the files that failed."""

    folder: Path | None = None
    plugins: list[AirflowPlugin] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def timetables(self) -> dict[str, type]:
        return {qualname(cls): cls for plugin in self.plugins for cls in plugin.timetables}

    macros: dict[str, types.ModuleType] = field(default_factory=dict)
    """``{plugin name: module of its macros}``, for ``macros.<plugin name>.<macro>``."""

    def macros_module(self, plugin_name: str) -> types.ModuleType | None:
        return self.macros.get(plugin_name)

    def describe(self) -> list[dict[str, Any]]:
        """One row per plugin, as ``brisa plugins`` prints them."""
        return [_describe(plugin) for plugin in self.plugins]


def _macros_module(plugin: AirflowPlugin) -> types.ModuleType:
    module = types.ModuleType(f"airflow.macros.{plugin.name}")
    for macro in plugin.macros:
        setattr(module, macro.__name__, macro)
    return module


def _names(values: Iterable[Any]) -> list[str]:
    return [qualname(v) if isinstance(v, type) else qualname(type(v)) for v in values]


def _describe(plugin: AirflowPlugin) -> dict[str, Any]:
    return {
        "name": plugin.name,
        "source": str(plugin.source or ""),
        "timetables": [qualname(cls) for cls in plugin.timetables],
        "macros": [f"{plugin.name}.{m.__name__}" for m in plugin.macros],
        "operator_extra_links": _names([*plugin.operator_extra_links, *plugin.global_operator_extra_links]),
    }


# -- loading ------------------------------------------------------------------------------


def load_plugins(folder: Path | None, *, entry_points: bool = True) -> LoadedPlugins:
    """Import the plugins folder's modules (and entry points) and collect their plugins."""
    from brisa.compat import install_shim

    install_shim()  # plugin modules import airflow.*, now and when their code runs later
    loaded = LoadedPlugins(folder=folder)
    if folder is not None:
        for path in _plugin_files(folder):
            _load_file(path, loaded)
    if entry_points:
        _load_entry_points(loaded)
    return loaded


def _plugin_files(folder: Path) -> list[str]:
    from brisa.dagfolder import discover

    if not folder.is_dir():
        return []
    return discover(str(folder), safe_mode=False)


def _load_file(path: str, loaded: LoadedPlugins) -> None:
    try:
        module = _module_of(path)
        for value in list(vars(module).values()):
            if is_plugin_class(value):
                _register(value, path, loaded)
    except (Exception, SystemExit) as err:  # any failure of user code is this file's import error
        log.exception("Failed to import plugin %s", path)
        loaded.errors[path] = f"{type(err).__name__}: {err}"


def _module_of(path: str) -> types.ModuleType:
    """The module of ``path``, named after its file; the one already imported is reused."""
    name = Path(path).stem
    existing = sys.modules.get(name)
    if existing is not None and _same_file(getattr(existing, "__file__", None), path):
        return existing
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _same_file(first: str | None, second: str) -> bool:
    return first is not None and os.path.realpath(first) == os.path.realpath(second)


def _load_entry_points(loaded: LoadedPlugins) -> None:
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            value = entry_point.load()
            if is_plugin_class(value):
                _register(value, f"entry point {entry_point.name} ({entry_point.value})", loaded)
        except Exception as err:
            log.exception("Failed to import plugin %s", entry_point.name)
            loaded.errors[f"entry point {entry_point.name}"] = f"{type(err).__name__}: {err}"


def _register(cls: type[AirflowPlugin], source: str, loaded: LoadedPlugins) -> None:
    if any(plugin.name == cls.name for plugin in loaded.plugins):
        log.debug("plugin %r already loaded; %s skipped", cls.name, source)
        return
    plugin = cls()
    plugin.source = source
    plugin.on_load()
    loaded.plugins.append(plugin)
    if plugin.macros:
        loaded.macros[str(plugin.name)] = _macros_module(plugin)


# -- this process's plugins ----------------------------------------------------------------


@dataclass
class _Active:
    folder: Path | None = None
    configured: bool = False
    loaded: LoadedPlugins | None = None


_ACTIVE = _Active()


def configure_plugins(folder: Path | None) -> None:
    """Make ``folder`` this process's plugins folder: on ``sys.path`` now, loaded on first need."""
    if _ACTIVE.configured and _ACTIVE.folder == folder:
        return
    _forget_macros()
    _ACTIVE.folder, _ACTIVE.configured, _ACTIVE.loaded = folder, True, None
    if folder is not None and str(folder) not in sys.path:
        sys.path.append(str(folder))  # appended, as Airflow does: installed modules win


def plugins_folder() -> Path | None:
    """This process's plugins folder (read from the environment's settings if not configured)."""
    if not _ACTIVE.configured:
        configure_plugins(_folder_from_environment())
    return _ACTIVE.folder


def _folder_from_environment() -> Path | None:
    from brisa.config import load_settings
    from brisa.errors import ConfigError

    try:
        return load_settings(os.environ).core.plugins_folder
    except ConfigError:
        return None


def active_plugins() -> LoadedPlugins:
    """This process's plugins, loaded (once) from its plugins folder."""
    folder = plugins_folder()
    if _ACTIVE.loaded is None:
        _ACTIVE.loaded = load_plugins(folder)
        _integrate_macros(_ACTIVE.loaded.macros)
    return _ACTIVE.loaded


def registered_timetables() -> Mapping[str, type]:
    """``{import path: class}`` of the timetables this process's plugins register."""
    return active_plugins().timetables


def _integrate_macros(modules: Mapping[str, types.ModuleType]) -> None:
    """``macros.<plugin name>`` in templates, and ``airflow.macros.<plugin name>``, as Airflow."""
    from brisa.templating import macros

    for name, module in modules.items():
        setattr(macros, name, module)
        sys.modules[module.__name__] = module


def _forget_macros() -> None:
    if _ACTIVE.loaded is None:
        return  # before the import: a command that never renders a template skips Jinja
    from brisa.templating import macros

    for name, module in _ACTIVE.loaded.macros.items():
        vars(macros).pop(name, None)
        sys.modules.pop(module.__name__, None)


__all__ = [
    "ENTRY_POINT_GROUP",
    "LoadedPlugins",
    "active_plugins",
    "configure_plugins",
    "load_plugins",
    "plugins_folder",
    "qualname",
    "registered_timetables",
]
