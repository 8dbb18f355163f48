"""Loading the plugins folder as Airflow's plugins_manager does."""

from __future__ import annotations

import sys
import textwrap

import pytest

from brisa.compat import shim_installed
from brisa.plugins import AirflowPlugin, active_plugins, load_plugins, manager, registered_timetables
from brisa.runner.try_context import plugin_macros
from brisa.templating import macros, make_environment, render_string
from brisa.templating.macros import PluginMacros
from tests.plugins.helpers import plugins_folder


def write(folder, name, source):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def test_every_module_of_the_folder_is_imported_and_its_plugins_collected(tmp_path):
    with plugins_folder(tmp_path / "plugins") as folder:
        write(
            folder,
            "nested/more.py",
            "from airflow.plugins_manager import AirflowPlugin\n"
            "class More(AirflowPlugin):\n    name = 'more'\n",
        )
        write(folder, "helper.py", "VALUE = 1\n")  # no plugin: imported, nothing collected
        loaded = load_plugins(folder, entry_points=False)
    assert [p.name for p in loaded.plugins] == ["more", "workweek"]  # sorted by path, as discovered
    assert loaded.errors == {}
    assert loaded.plugins[1].source == str(folder / "workweek.py")
    assert isinstance(loaded.plugins[1], AirflowPlugin)
    assert list(loaded.timetables) == ["workweek.WorkweekTimetable"]


def test_on_load_runs_once_per_plugin_and_a_second_plugin_of_the_same_name_is_skipped(tmp_path):
    source = """
        from airflow.plugins_manager import AirflowPlugin
        import builtins
        class Counting(AirflowPlugin):
            name = "counting"
            @classmethod
            def on_load(cls, *args, **kwargs):
                builtins.brisa_loads = getattr(builtins, "brisa_loads", 0) + 1
    """
    with plugins_folder(tmp_path / "plugins", with_workweek=False) as folder:
        write(folder, "a.py", source)
        write(folder, "b.py", source.replace("class Counting", "class Again"))
        loaded = load_plugins(folder, entry_points=False)
    import builtins

    assert [p.name for p in loaded.plugins] == ["counting"]
    assert builtins.brisa_loads == 1
    del builtins.brisa_loads


def test_a_broken_file_is_an_error_of_its_own_not_of_the_folder(tmp_path):
    with plugins_folder(tmp_path / "plugins") as folder:
        broken = write(folder, "broken.py", "import does_not_exist\n")
        exits = write(folder, "exits.py", "raise SystemExit(3)\n")
        nameless = write(
            folder,
            "nameless.py",
            "from airflow.plugins_manager import AirflowPlugin\nclass Nameless(AirflowPlugin):\n    pass\n",
        )
        loaded = load_plugins(folder, entry_points=False)
    assert [p.name for p in loaded.plugins] == ["workweek"]
    assert loaded.errors[str(broken)] == "ModuleNotFoundError: No module named 'does_not_exist'"
    assert loaded.errors[str(nameless)] == "AirflowPluginException: Your plugin needs a name."
    assert loaded.errors[str(exits)] == "SystemExit: 3"


def test_airflowignore_is_honoured(tmp_path):
    with plugins_folder(tmp_path / "plugins") as folder:
        write(folder, "skipped.py", "raise RuntimeError('must not run')\n")
        write(folder, ".airflowignore", "skipped\n")
        loaded = load_plugins(folder, entry_points=False)
    assert loaded.errors == {}


def test_a_missing_folder_has_no_plugins(tmp_path):
    assert load_plugins(tmp_path / "nowhere", entry_points=False).plugins == []


def test_the_folder_goes_on_sys_path_and_loads_once_on_first_need(tmp_path):
    with plugins_folder(tmp_path / "plugins") as folder:
        assert str(folder) in sys.path
        assert "workweek" not in sys.modules  # nothing imported yet
        first = active_plugins()
        assert active_plugins() is first
        from workweek import WorkweekTimetable  # what a DAG file does

        assert registered_timetables() == {"workweek.WorkweekTimetable": WorkweekTimetable}


def test_plugin_macros_are_macros_dot_plugin_name(tmp_path):
    with plugins_folder(tmp_path / "plugins"):
        active_plugins()
        assert macros.workweek.shout("hi") == "HI!"
        import airflow.macros.workweek

        assert airflow.macros.workweek.shout("yo") == "YO!"
    assert "workweek" not in vars(macros)


def test_plugins_load_only_when_a_template_asks_for_a_plugin_macro(tmp_path):
    env = make_environment()
    with plugins_folder(tmp_path / "plugins"):
        context = {"macros": PluginMacros(plugin_macros)}  # what the task runner passes
        assert render_string("{{ macros.ds_add('2024-01-01', 1) }}", context, env) == "2024-01-02"
        assert manager._ACTIVE.loaded is None  # a task without plugin macros pays nothing
        assert render_string("{{ macros.workweek.shout('hi') }}", context, env) == "HI!"
        assert manager._ACTIVE.loaded is not None
        with pytest.raises(AttributeError):
            _ = PluginMacros(plugin_macros).nowhere


@pytest.mark.parametrize("path", ["airflow.plugins_manager"])
def test_airflow_plugin_is_importable_from_airflows_path(path):
    with shim_installed():
        module = __import__(path, fromlist=["AirflowPlugin"])
        assert module.AirflowPlugin is AirflowPlugin
