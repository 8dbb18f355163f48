import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brisa.errors import InvalidInputError
from brisa.secrets.uri import CONNECTION_FIELDS, connection_from_json, format_uri, parse_uri


def conn(**fields):
    base = dict.fromkeys(CONNECTION_FIELDS)
    base["extra"] = {}
    return {**base, **fields}


# -- parsing Airflow's documented forms ---------------------------------------------------


def test_airflow_documentation_example():
    uri = "my-conn-type://login:password@host:5432/schema?param1=val1&param2=val2"
    assert parse_uri(uri) == conn(
        conn_type="my_conn_type",
        login="login",
        password="password",
        host="host",
        port=5432,
        schema="schema",
        extra={"param1": "val1", "param2": "val2"},
    )


def test_postgresql_scheme_reads_as_postgres():
    assert parse_uri("postgresql://u:p@h/db")["conn_type"] == "postgres"


def test_percent_encoded_parts_are_decoded():
    parsed = parse_uri("mysql://us%40er:p%40ss%2Fw%3Ard%25%20x@my%20host:3306/my%2Fdb")
    assert parsed["login"] == "us@er"
    assert parsed["password"] == "p@ss/w:rd% x"
    assert parsed["host"] == "my host"
    assert parsed["schema"] == "my/db"


def test_hosts_keep_their_case():
    assert parse_uri("postgres://u:p@MyHost.Example.COM/db")["host"] == "MyHost.Example.COM"


def test_extra_as_json_parameter():
    parsed = parse_uri('gcp://?__extra__={"key_path": "/k.json", "scopes": ["a", "b"], "n": 1}')
    assert parsed["extra"] == {"key_path": "/k.json", "scopes": ["a", "b"], "n": 1}


def test_missing_and_empty_parts():
    assert parse_uri("aws://") == conn(conn_type="aws")
    assert parse_uri("x://user:@host") == conn(conn_type="x", login="user", password="", host="host")
    assert parse_uri("x://user@host") == conn(conn_type="x", login="user", host="host")
    assert parse_uri("x://:pw@host")["login"] == ""
    assert parse_uri("x://@:8080") == conn(conn_type="x", login="", port=8080)
    assert parse_uri("x://h?flag=")["extra"] == {"flag": ""}


def test_host_with_protocol_in_both_airflow_forms():
    modern = parse_uri("http://https://user:pw@example.com:443/path")
    assert modern == conn(
        conn_type="http", host="https://example.com", login="user", password="pw", port=443, schema="path"
    )
    assert parse_uri("http://https%3A%2F%2Fexample.com")["host"] == "https://example.com"


@pytest.mark.parametrize("uri", ["x://[::1]:5432/db", "x://%3A%3A1:5432/db"])
def test_ipv6_hosts_in_brackets_or_percent_encoded(uri):
    parsed = parse_uri(uri)
    assert (parsed["host"], parsed["port"], parsed["schema"]) == ("::1", 5432, "db")


@pytest.mark.parametrize(
    "uri",
    [
        "no scheme here",
        "x://host:port/db",
        "x://host:99999",
        "x://[::1/db",
        "x://[::1]junk:80",
        "x://a://b://c",
        "x://h?__extra__=not-json",
        "x://h?__extra__=%5B1%5D",
    ],
)
def test_malformed_uris_raise_invalid_input(uri):
    with pytest.raises(InvalidInputError):
        parse_uri(uri)


def test_errors_do_not_quote_the_password():
    with pytest.raises(InvalidInputError) as info:
        parse_uri("x://user:topsecretpw@host:notaport/db")
    assert "topsecretpw" not in str(info.value)


# -- formatting: Airflow's get_uri ---------------------------------------------------------


def test_format_encodes_every_part_like_airflow():
    uri = format_uri(
        conn(
            conn_type="google_cloud_platform",
            host="h",
            login="us er",
            password="p@ss/:%",
            port=123,
            schema="db/x",
            extra={"a": "b c"},
        )
    )
    assert uri == "google-cloud-platform://us%20er:p%40ss%2F%3A%25@h:123/db%2Fx?a=b+c"


def test_format_without_schema_puts_the_query_after_a_slash():
    assert format_uri(conn(conn_type="aws", extra={"region": "eu"})) == "aws:///?region=eu"


def test_format_port_without_host_or_login():
    assert format_uri(conn(conn_type="x", port=80)) == "x://@:80"
    assert format_uri(conn(conn_type="x", login="me", port=80)) == "x://me@:80"


def test_format_non_string_extras_as_json_parameter():
    uri = format_uri(conn(conn_type="x", host="h", extra={"n": 1, "nested": {"a": [1, 2]}}))
    assert uri.startswith("x://h/?__extra__=")
    assert parse_uri(uri)["extra"] == {"n": 1, "nested": {"a": [1, 2]}}


def test_format_accepts_extra_as_json_text():
    assert format_uri(conn(conn_type="x", host="h", extra='{"a": "b"}')) == "x://h/?a=b"


def test_an_extra_named_like_the_json_parameter_survives():
    original = conn(conn_type="x", host="h", extra={"__extra__": "v"})
    assert parse_uri(format_uri(original)) == original


def test_format_host_with_protocol_as_a_second_scheme():
    uri = format_uri(conn(conn_type="http", host="https://example.com", login="u", password="p"))
    assert uri == "http://https://u:p@example.com"


def test_format_ipv6_in_brackets():
    assert format_uri(conn(conn_type="x", host="::1", port=5432)) == "x://[::1]:5432"
    assert parse_uri(format_uri(conn(conn_type="x", host="fe80::1%eth0")))["host"] == "fe80::1%eth0"


def test_format_without_conn_type():
    assert format_uri(conn(host="h")) == "//h"
    assert parse_uri("//h") == conn(host="h")


# -- round trips ---------------------------------------------------------------------------

TRICKY = st.sampled_from(list("@/:%?#&=+ []\"'\\ü€中\x00\t;,"))
TEXT = st.text(
    alphabet=st.one_of(TRICKY, st.characters(exclude_categories=("Cs",))),
    max_size=12,
)
SCHEME = st.from_regex(r"[a-z][a-z0-9+.]{0,6}", fullmatch=True)
HOSTS = st.one_of(
    TEXT,
    st.sampled_from(["::1", "2001:DB8::1", "fe80::1%eth0", "[::1]", "localhost", "Db.Example.COM"]),
    st.builds(lambda protocol, host: f"{protocol}://{host}", SCHEME, TEXT.filter(bool)),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=6,
)
CONNECTIONS = st.fixed_dictionaries(
    {
        "conn_type": st.none() | st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True),
        "host": st.none() | HOSTS,
        "schema": st.none() | TEXT,
        "login": st.none() | TEXT,
        "password": st.none() | TEXT,
        "port": st.none() | st.integers(1, 65535),
        "extra": st.dictionaries(TEXT, TEXT, max_size=4) | st.dictionaries(TEXT, JSON_VALUES, max_size=3),
    }
).filter(lambda c: c["conn_type"] != "postgresql")


def after_round_trip(original):
    """What Airflow's rules give back: empty parts vanish, a bare '@' means login ''."""
    expected = dict(original)
    expected["host"] = original["host"] or None
    expected["schema"] = original["schema"] or None
    if original["login"] == "" and original["password"] is None:
        expected["login"] = None
    if original["password"] is not None and original["login"] is None:
        expected["login"] = ""
    if original["port"] and not expected["host"] and expected["login"] is None:
        expected["login"] = ""
    return expected


@settings(max_examples=400)
@given(CONNECTIONS)
def test_parse_of_format_gives_the_connection_back(connection):
    assert parse_uri(format_uri(connection)) == after_round_trip(connection)


@settings(max_examples=200)
@given(CONNECTIONS)
def test_format_is_stable_after_one_round_trip(connection):
    uri = format_uri(connection)
    assert format_uri(parse_uri(uri)) == uri


@pytest.mark.parametrize("password", ["p@ss", "a/b", "c:d", "100%", "with space", "ünï€ödé", "x@y:z/%w"])
def test_tricky_passwords_round_trip(password):
    original = conn(conn_type="postgres", host="db", login="me", password=password, port=5432, schema="app")
    assert parse_uri(format_uri(original)) == original


# -- JSON form -----------------------------------------------------------------------------


def test_json_form():
    parsed = connection_from_json(
        '{"conn_type": "postgresql", "host": "h", "login": "u", "password": "p", "schema": "db",'
        ' "port": "5432", "extra": {"sslmode": "require"}, "description": "main db"}'
    )
    assert parsed == {
        **conn(conn_type="postgres", host="h", login="u", password="p", schema="db", port=5432),
        "extra": {"sslmode": "require"},
        "description": "main db",
    }


def test_json_form_accepts_extra_as_text_and_missing_fields():
    parsed = connection_from_json('{"conn_type": "aws", "extra": "{\\"region\\": \\"eu\\"}"}')
    assert parsed["extra"] == {"region": "eu"}
    assert parsed["host"] is None and parsed["port"] is None


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        '{"conn_type": "x", "uri": "x://h"}',
        '{"port": "eighty"}',
        '{"port": true}',
        '{"host": 5}',
        '{"extra": "[1]"}',
    ],
)
def test_malformed_json_forms_raise_invalid_input(text):
    with pytest.raises(InvalidInputError):
        connection_from_json(text)
