"""``var``, ``conn`` and ``conf`` in templates, and the connection object's shape."""

from __future__ import annotations

import pytest

from brisa.errors import ConfigError, NotFoundError
from brisa.templating import (
    ConfAccessor,
    ConnectionAccessor,
    ConnectionNotFound,
    TemplateConnection,
    VariableAccessor,
    VariableNotFound,
    make_environment,
    render,
)
from brisa.templating.accessors import NoEvents, OutletEventAccessors, as_conf

from .helpers import FakeRuntime

RUNTIME = FakeRuntime(
    variables={
        "bucket": "my-bucket",
        "settings": '{"retries": 3, "nested": {"on": true}}',
        "my.var": "dotted",
    },
    connections={
        "warehouse": {
            "conn_type": "postgres",
            "host": "db",
            "login": "u",
            "password": "p w",
            "port": 5432,
            "schema": "s",
            "extra": '{"sslmode": "require"}',
        }
    },
)


def template_context():
    return {
        "var": {
            "value": VariableAccessor(RUNTIME, deserialize_json=False),
            "json": VariableAccessor(RUNTIME, deserialize_json=True),
        },
        "conn": ConnectionAccessor(RUNTIME),
    }


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ var.value.bucket }}", "my-bucket"),
        ("{{ var.value.get('my.var') }}", "dotted"),
        ("{{ var.value.get('missing', 'fallback') }}", "fallback"),
        ("{{ var.json.settings.retries }}", "3"),
        ("{{ var.json.settings.nested.on }}", "True"),
        ("{{ var.json.get('missing', {'k': 1}).k }}", "1"),
        ("{{ conn.warehouse.host }}:{{ conn.warehouse.port }}", "db:5432"),
        ("{{ conn.get('warehouse').login }}", "u"),
        ("{{ conn.get('missing', {'host': 'host1'}).host }}", "host1"),
        ("{{ conn.warehouse.extra_dejson.sslmode }}", "require"),
        ("{{ conn.warehouse.extra_dejson.get('region', 'eu') }}", "eu"),
    ],
)
def test_templates_reach_variables_and_connections(template, expected):
    assert render(template, template_context(), make_environment()) == expected


def test_a_missing_variable_is_a_key_error_with_airflows_message():
    with pytest.raises(VariableNotFound) as caught:
        render("{{ var.value.nope }}", template_context(), make_environment())
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, NotFoundError)
    assert caught.value.args == ("Variable nope does not exist",)
    with pytest.raises(KeyError, match="Variable nope does not exist"):
        VariableAccessor(RUNTIME, deserialize_json=True).get("nope")


def test_a_missing_connection_names_it():
    with pytest.raises(ConnectionNotFound, match="The conn_id `nope` isn't defined"):
        render("{{ conn.nope.host }}", template_context(), make_environment())
    assert ConnectionAccessor(RUNTIME).get("nope") is None


def test_accessors_ask_the_runtime_lazily_and_ignore_protocol_probes():
    runtime = FakeRuntime(variables={"a": "1"})
    accessor = VariableAccessor(runtime, deserialize_json=False)
    assert runtime.asked == []
    assert accessor.a == "1" and runtime.asked == ["var:a"]
    with pytest.raises(AttributeError):
        accessor.__html__  # noqa: B018
    with pytest.raises(AttributeError):
        ConnectionAccessor(runtime).__deepcopy__  # noqa: B018
    assert runtime.asked == ["var:a"]


# Expected URIs produced by Airflow 3.1's Connection.get_uri for the same fields.
@pytest.mark.parametrize(
    ("fields", "uri"),
    [
        (RUNTIME.connections["warehouse"], "postgres://u:p%20w@db:5432/s?sslmode=require"),
        (
            {"conn_type": "google_cloud_platform", "extra": '{"nested": {"k": 1}}'},
            "google-cloud-platform:///?__extra__=%7B%22nested%22%3A+%7B%22k%22%3A+1%7D%7D",
        ),
        ({"conn_type": "http", "host": "https://example.com/api"}, "http://https://example.com%2Fapi"),
        ({"conn_type": "redis", "port": 6379}, "redis://@:6379"),
        ({"host": "h", "login": "", "password": ""}, "//:@h"),
        (
            {"conn_type": "mysql", "host": "h", "login": "user@x", "schema": "my/db"},
            "mysql://user%40x@h/my%2Fdb",
        ),
        ({"conn_type": "aws", "extra": "not json"}, "aws:///?__extra__=not+json"),
    ],
)
def test_get_uri_matches_airflow(fields, uri):
    assert TemplateConnection.from_dict({"conn_id": "c", **fields}).get_uri() == uri


def test_connection_shape():
    conn = TemplateConnection.from_dict({"conn_id": "c", "port": "5432", "extra": {"a": 1}})
    assert (conn.conn_id, conn.port, conn.extra, conn.extra_dejson) == ("c", 5432, '{"a": 1}', {"a": 1})
    assert (conn.host, conn.schema, conn.login, conn.password, conn.conn_type) == (None,) * 5
    assert TemplateConnection("c", extra="not json").extra_dejson == {}
    assert repr(conn) == "c"


def test_conf_accessor_over_a_lookup_function():
    values = {("core", "dags_folder"): "/dags", ("core", "flag"): "True", ("core", "n"): "4"}
    conf = ConfAccessor(lambda section, key: values.get((section, key)))
    assert conf.get("core", "dags_folder") == "/dags"
    assert conf.get("core", "missing", fallback="x") == "x"
    assert conf.getboolean("core", "flag") is True and conf.getint("core", "n") == 4
    assert (
        conf.getfloat("core", "n") == 4.0 and conf.has_option("core", "n") and not conf.has_option("a", "b")
    )
    with pytest.raises(ConfigError, match=r"section/key \[core/missing\] not found in config"):
        conf.get("core", "missing")
    with pytest.raises(ConfigError, match="must be a boolean"):
        conf.getboolean("core", "dags_folder")


def test_as_conf_accepts_objects_functions_or_nothing():
    class Config:
        def get(self, section, key, **_):
            return f"{section}.{key}"

    config = Config()
    assert as_conf(config) is config
    assert as_conf(lambda s, k: "v").get("a", "b") == "v"
    with pytest.raises(ConfigError):
        as_conf(None).get("a", "b")
    with pytest.raises(TypeError):
        as_conf(42)


def test_event_maps():
    outlets = OutletEventAccessors()
    outlets["s3://bucket/key"].extra["rows"] = 10
    assert (
        outlets["s3://bucket/key"].extra == {"rows": 10}
        and len(outlets) == 1
        and list(outlets) == ["s3://bucket/key"]
    )
    assert NoEvents()["anything"] == [] and len(NoEvents()) == 0 and list(NoEvents()) == []
