"""``make_environment``: Airflow's Jinja settings, filters and DAG-level macros/filters."""

from __future__ import annotations

import subprocess
import sys

import jinja2
import pendulum
import pytest
from jinja2.sandbox import SecurityError

from brisa.templating import FILTERS, NativeEnvironment, SandboxedEnvironment, make_environment

DATE = pendulum.datetime(2018, 1, 1, 13, 5, 9, tz="Europe/Amsterdam")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ds", "2018-01-01"),
        ("ds_nodash", "20180101"),
        ("ts", "2018-01-01T13:05:09+01:00"),
        ("ts_nodash", "20180101T130509"),
        ("ts_nodash_with_tz", "20180101T130509+0100"),
    ],
)
def test_airflow_date_filters(name, expected):
    env = make_environment()
    assert env.from_string("{{ value | " + name + " }}").render(value=DATE) == expected
    assert FILTERS[name](None) is None


def test_defaults_are_airflows():
    env = make_environment()
    assert isinstance(env, SandboxedEnvironment)
    assert env.undefined is jinja2.StrictUndefined
    assert env.cache is None  # cache_size=0
    assert env.from_string("{% set xs = [] %}{% do xs.append(1) %}{{ xs }}").render() == "[1]"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ not_defined }}").render()


def test_sandbox_allows_single_underscore_but_not_dunders():
    class Thing:
        _private = "visible"

    env = make_environment()
    assert env.from_string("{{ t._private }}").render(t=Thing()) == "visible"
    with pytest.raises(SecurityError):
        env.from_string("{{ t.__class__.__mro__ }}").render(t=Thing())


def test_user_defined_macros_and_filters():
    env = make_environment(
        user_defined_macros={"project": "brisa"}, user_defined_filters={"shout": str.upper}
    )
    assert env.from_string("{{ project | shout }}").render() == "BRISA"


def test_native_environment_renders_python_objects():
    env = make_environment(native=True)
    assert isinstance(env, NativeEnvironment)
    assert env.from_string("{{ [1, 2] }}").render() == [1, 2]
    assert env.from_string("{{ value | ds }}").render(value=DATE) == "2018-01-01"


def test_searchpath_and_environment_kwargs(tmp_path):
    (tmp_path / "hello.sql").write_text("SELECT '{{ who }}'")
    env = make_environment(searchpath=[str(tmp_path)], environment_kwargs={"undefined": jinja2.Undefined})
    assert env.get_template("hello.sql").render(who="you") == "SELECT 'you'"
    assert env.from_string("[{{ missing }}]").render() == "[]"


WARM_CHILD = """
import sys, jinja2.lexer
from brisa.templating.environment import make_environment, warm_up
{warm}
built = []
original = jinja2.lexer.Lexer.__init__
def counting(self, env):
    built.append(env)
    original(self, env)
jinja2.lexer.Lexer.__init__ = counting
before = set(sys.modules)
make_environment(searchpath=["/dags"]).from_string("{{{{ ds }}}}{{% do [] %}}")
print(len(built), ",".join(sorted(set(sys.modules) - before)) or "-")
"""


def _first_environment(warm: str) -> tuple[int, list[str]]:
    code = WARM_CHILD.format(warm=warm)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lexers, imported = out.split()
    return int(lexers), imported.split(",")


def test_after_warm_up_a_tasks_environment_imports_nothing_and_builds_no_lexer():
    """The zygote calls ``warm_up`` before forking, so each task process skips this work."""
    cold_lexers, cold_imports = _first_environment("")
    assert cold_lexers == 1 and "jinja2.ext" in cold_imports
    assert _first_environment("warm_up()") == (0, ["-"])
