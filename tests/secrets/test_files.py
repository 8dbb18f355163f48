"""Import and export files of variables and connections (Airflow's formats)."""

import json

import pytest
import yaml

from brisa.errors import InvalidInputError, NotFoundError, SecretsError
from brisa.secrets.files import (
    connections_from_document,
    dump_document,
    export_connections,
    file_format,
    read_document,
    variables_document,
    variables_from_document,
)
from brisa.secrets.views import VariableEntry


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


# -- reading files -----------------------------------------------------------------------------


def test_format_follows_the_extension():
    assert [file_format(p) for p in ("a.json", "b.YAML", "c.yml", "d.env")] == ["json", "yaml", "yaml", "env"]
    with pytest.raises(InvalidInputError, match=r"\.json \.yaml \.yml \.env"):
        file_format("vars.txt")


def test_json_yaml_and_env_give_the_same_document(tmp_path):
    expected = {"a": "1", "b": "two words"}
    assert read_document(write(tmp_path, "v.json", json.dumps(expected)), what="variables") == expected
    assert read_document(write(tmp_path, "v.yaml", "a: '1'\nb: two words\n"), what="variables") == expected
    env = "# a comment\n\na=1\n  # indented comment\nb=two words\n"
    assert read_document(write(tmp_path, "v.env", env), what="variables") == expected


def test_env_values_keep_everything_after_the_first_equals_sign(tmp_path):
    path = write(tmp_path, "c.env", "db=postgres://u:p@h/db?a=b&c=d\n")
    assert read_document(path, what="connections") == {"db": "postgres://u:p@h/db?a=b&c=d"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no-equals-sign-secret\n", "line 1: expected KEY=VALUE"),
        ("=value-secret\n", "line 1: the key is empty"),
        ("a=1\nkey=\n", "line 2: the value is empty"),
        ("a=1\na=2-secret\n", "line 2: 'a' is given more than once"),
    ],
)
def test_env_errors_give_the_line_and_never_the_content(tmp_path, text, problem):
    with pytest.raises(InvalidInputError, match=problem) as info:
        read_document(write(tmp_path, "x.env", text), what="variables")
    assert "secret" not in str(info.value)


def test_yaml_errors_do_not_quote_the_file(tmp_path):
    path = write(tmp_path, "x.yaml", "db:\n  password: hunter22-secret\n bad: [\n")
    with pytest.raises(InvalidInputError, match=r"line \d+") as info:
        read_document(path, what="connections")
    assert "hunter22" not in str(info.value)


def test_json_errors_give_the_line(tmp_path):
    with pytest.raises(InvalidInputError, match="line 2"):
        read_document(write(tmp_path, "x.json", '{"a": 1,\n oops}'), what="variables")


@pytest.mark.parametrize(("name", "text"), [("x.json", "[1, 2]"), ("x.yaml", "- a\n"), ("x.json", "  \n")])
def test_a_file_must_hold_one_object(tmp_path, name, text):
    with pytest.raises(InvalidInputError):
        read_document(write(tmp_path, name, text), what="variables")


def test_a_missing_file_is_not_found(tmp_path):
    with pytest.raises(NotFoundError, match="Missing variables file"):
        read_document(tmp_path / "nope.json", what="variables")


# -- variables -----------------------------------------------------------------------------------


def test_variable_values_follow_airflows_import_rules():
    values = variables_from_document(
        {
            "text": "as is",
            "number": 3,
            "object": {"a": [1, 2]},
            "described": {"value": "v", "description": "what it is"},
            "described_json": {"value": {"x": 1}, "description": None},
        }
    )
    assert values["text"] == ("as is", None)
    assert values["number"] == ("3", None)
    assert json.loads(values["object"][0]) == {"a": [1, 2]}
    assert values["described"] == ("v", "what it is")
    assert json.loads(values["described_json"][0]) == {"x": 1}


def test_a_description_must_be_text():
    with pytest.raises(InvalidInputError, match="description"):
        variables_from_document({"k": {"value": "v", "description": 5}})


def _entries(**values):
    return [VariableEntry(key, value, None, True) for key, value in values.items()]


def test_export_then_import_gives_back_the_same_values():
    stored = {
        "text": "plain text",
        "json_object": '{"a": [1, 2]}',
        "json_string": '"quoted"',
        "number": "42",
        "looks_like_wrapper": '{"value": 1}',
    }
    entries = [*_entries(**stored), VariableEntry("described", "v", "a description", True)]
    document = variables_document(entries)
    assert document["described"] == {"value": "v", "description": "a description"}
    assert document["looks_like_wrapper"] == {"value": {"value": 1}, "description": None}
    for fmt in ("json", "yaml"):
        text = dump_document(document, fmt)
        reread = json.loads(text) if fmt == "json" else yaml.safe_load(text)
        values = variables_from_document(reread)
        assert values["described"] == ("v", "a description")
        for key, original in stored.items():
            got = values[key][0]
            assert got == original or json.loads(got) == json.loads(original), key


def test_export_refuses_values_it_cannot_decrypt():
    entries = [VariableEntry("broken", None, None, True, "cannot decrypt")]
    with pytest.raises(SecretsError, match="'broken'"):
        variables_document(entries)


# -- connections -----------------------------------------------------------------------------------


def test_connections_from_uris_objects_and_json_text():
    conns = connections_from_document(
        {
            "from_uri": "postgres://me:p%40ss@db:5432/app?sslmode=require",
            "from_object": {"conn_type": "http", "host": "h", "port": "8080", "extra": {"a": "b"}},
            "from_extra_text": {"conn_type": "http", "extra": '{"x": 1}'},
            "from_extra_dejson": {"conn_type": "http", "extra_dejson": {"y": 2}},
            "from_uri_key": {"uri": "redis://:pw@cache:6379", "description": "cache"},
            "from_json_text": '{"conn_type": "fs", "extra": {"path": "/tmp"}}',
            "same_id": {"conn_id": "same_id", "conn_type": "sqlite", "host": "/tmp/x.db"},
        }
    )
    assert conns["from_uri"]["password"] == "p@ss" and conns["from_uri"]["extra"] == {"sslmode": "require"}
    assert conns["from_object"]["port"] == 8080 and conns["from_object"]["extra"] == {"a": "b"}
    assert conns["from_extra_text"]["extra"] == {"x": 1}
    assert conns["from_extra_dejson"]["extra"] == {"y": 2}
    assert conns["from_uri_key"]["description"] == "cache" and conns["from_uri_key"]["host"] == "cache"
    assert conns["from_json_text"]["extra"] == {"path": "/tmp"}
    assert conns["same_id"]["host"] == "/tmp/x.db"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"conn_id": "other", "conn_type": "http"}, "differs"),
        ({"conn_type": "http", "extra": "{}", "extra_dejson": {}}, "not both"),
        ({"uri": "http://h", "host": "x"}, "cannot be combined"),
        ({"conn_type": "http", "hostname": "x"}, "unknown field"),
        ({"host": "no type"}, "no conn_type"),
        (42, "URI or an object"),
        ("not a uri", "not a connection URI"),
    ],
)
def test_bad_connection_entries_are_named(value, problem):
    with pytest.raises(InvalidInputError, match=problem) as info:
        connections_from_document({"my_conn": value}, path="conns.json")
    assert "my_conn" in str(info.value) and "conns.json" in str(info.value)


CONNS = [
    {
        "conn_id": "db",
        "conn_type": "postgres",
        "description": "main database",
        "host": "db.example.com",
        "schema": "app",
        "login": "me",
        "password": "p@ss w/rd:%",
        "port": 5432,
        "extra": {"sslmode": "require"},
    },
    {
        "conn_id": "api",
        "conn_type": "http",
        "description": None,
        "host": "https://api.example.com",
        "schema": None,
        "login": None,
        "password": None,
        "port": None,
        "extra": {"timeout": 30},
    },
]


@pytest.mark.parametrize(
    ("fmt", "serialization", "name"),
    [("json", "uri", "c.json"), ("yaml", "uri", "c.yaml"), ("env", "uri", "c.env"), ("env", "json", "c.env")],
)
def test_connections_export_then_import_round_trip(tmp_path, fmt, serialization, name):
    text = export_connections(CONNS, fmt, serialization)
    reread = connections_from_document(read_document(write(tmp_path, name, text), what="connections"))
    for conn in CONNS:
        expected = {k: v for k, v in conn.items() if k != "conn_id"}
        if fmt == "env" and serialization == "uri":
            expected["description"] = None  # a URI has no description (as in Airflow)
        assert reread[conn["conn_id"]] == expected


def test_connection_export_writes_airflows_fields():
    document = json.loads(export_connections(CONNS, "json"))
    assert list(document) == ["api", "db"]
    assert document["db"]["extra"] == '{"sslmode": "require"}' and document["api"]["password"] is None
    first = export_connections(CONNS, "env").splitlines()[0]
    assert first == "api=http://https://api.example.com/?__extra__=%7B%22timeout%22%3A+30%7D"
