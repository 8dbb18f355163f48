"""``render`` / ``render_field``: Airflow's rules for what gets rendered and how."""

from __future__ import annotations

from typing import NamedTuple

import jinja2
import pytest

from brisa.templating import make_environment, render, render_field


@pytest.fixture
def sql_dir(tmp_path):
    (tmp_path / "query.sql").write_text("SELECT * FROM t WHERE ds = '{{ ds }}'")
    (tmp_path / "run.sh").write_text("echo {{ ds }}")
    return tmp_path


def test_strings_are_templates():
    assert render("day {{ ds }}", {"ds": "2015-06-01"}, make_environment()) == "day 2015-06-01"


def test_a_value_ending_with_a_template_extension_is_a_file(sql_dir):
    env = make_environment(searchpath=[str(sql_dir)])
    context = {"ds": "2015-06-01"}
    assert render_field("query.sql", context, env, (".sql",)) == "SELECT * FROM t WHERE ds = '2015-06-01'"
    assert render_field(["run.sh", "query.sql"], context, env, (".sh", ".sql"))[0] == "echo 2015-06-01"


def test_a_trailing_space_stops_the_file_lookup(sql_dir):
    env = make_environment(searchpath=[str(sql_dir)])
    assert render_field("run.sh ", {"ds": "x"}, env, (".sh",)) == "run.sh "
    # and without template_ext the name is just text
    assert render("run.sh", {}, env) == "run.sh"


def test_a_missing_template_file_is_an_error(tmp_path):
    env = make_environment(searchpath=[str(tmp_path)])
    with pytest.raises(jinja2.TemplateNotFound):
        render_field("nope.sql", {}, env, (".sql",))


class Pair(NamedTuple):
    left: str
    right: int


def test_collections_render_recursively():
    env = make_environment()
    context = {"x": "X"}
    value = {"list": ["{{ x }}", 1], "tuple": ("{{ x }}",), "pair": Pair("{{ x }}", 2), "set": {"{{ x }}"}}
    assert render(value, context, env) == {
        "list": ["X", 1],
        "tuple": ("X",),
        "pair": Pair("X", 2),
        "set": {"X"},
    }
    assert isinstance(render(value, context, env)["pair"], Pair)
    assert render(42, context, env) == 42 and render(None, context, env) is None


class Resolvable:
    """Shaped like Airflow's XComArg: resolve(context) and iter_references()."""

    def iter_references(self):
        return iter(())

    def resolve(self, context):
        return f"resolved for {context['run_id']}"


def test_resolvable_objects_are_resolved():
    assert render(["{{ run_id }}", Resolvable()], {"run_id": "r1"}, make_environment()) == [
        "r1",
        "resolved for r1",
    ]


class Nested:
    template_fields = ("command", "empty")

    def __init__(self, command, other=None):
        self.command = command
        self.empty = ""
        self.other = other


def test_objects_with_template_fields_are_rendered_in_place_once():
    inner = Nested("echo {{ ds }}")
    outer = Nested("{{ ds }}", other=inner)
    outer.template_fields = ("command", "other")
    inner.other = outer  # a cycle must not loop
    result = render([outer, inner], {"ds": "D"}, make_environment())
    assert result == [outer, inner]
    assert (outer.command, inner.command, inner.empty) == ("D", "echo D", "")


def test_rendering_adds_missing_globals_to_the_context_like_airflow():
    env = make_environment(user_defined_macros={"project": "brisa", "ds": "from macro"})
    context = {"ds": "2015-06-01"}
    assert render("{{ project }} {{ ds }}", context, env) == "brisa 2015-06-01"
    assert context["project"] == "brisa" and context["ds"] == "2015-06-01"


def test_native_rendering_returns_objects():
    env = make_environment(native=True)
    assert render("{{ items }}", {"items": [1, 2]}, env) == [1, 2]
    assert render("{{ n + 1 }}", {"n": 1}, env) == 2
    assert render(["{{ n }}", "n={{ n }}"], {"n": 3}, env) == [3, "n=3"]


def test_errors_keep_their_jinja_type():
    with pytest.raises(jinja2.UndefinedError, match="missing"):
        render("{{ missing }}", {}, make_environment())


PLAIN_CASES = ["true", "echo done", "a\nb", "ends with newline\n", "windows\r\nline", "50% {off", ""]


@pytest.mark.parametrize("value", PLAIN_CASES)
@pytest.mark.parametrize("keep", [False, True])
def test_a_string_without_markup_renders_as_jinja_would(value, keep):
    env = make_environment()
    env.keep_trailing_newline = keep
    assert render(value, {}, env) == env.from_string(value).render()


def test_a_string_without_markup_is_not_compiled_but_still_gets_the_globals(monkeypatch):
    env = make_environment(user_defined_macros={"project": "brisa"})

    def no_compiling(source, *args, **kwargs):
        raise AssertionError(f"compiled {source!r}")

    monkeypatch.setattr(env, "from_string", no_compiling)
    context: dict = {}
    assert render("true", context, env) == "true"
    assert context["project"] == "brisa"


def test_native_rendering_still_parses_a_string_without_markup():
    assert render("123", {}, make_environment(native=True)) == 123
