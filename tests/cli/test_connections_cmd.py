import json
import sqlite3

import pytest
import yaml
from secrets_cli import exit_code_of, invoke, prepare_home, raw_tables

from brisa.cli import main as cli_main
from brisa.cli.connections_cmd import connection_from_options, register
from brisa.errors import ConflictError, InvalidInputError, NotFoundError

PASSWORD = "p@ss w/rd:%-secret"
URI = "postgres://me:p%40ss%20w%2Frd%3A%25-secret@db.example.com:5432/app?sslmode=require"


@pytest.fixture
def secrets_home(monkeypatch, tmp_path):
    return prepare_home(monkeypatch, tmp_path)


def run(*args, **kwargs):
    return invoke(register, *args, **kwargs)


def get_json(conn_id, *flags):
    result = run("connections", "get", conn_id, "-o", "json", *flags)
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    return row


# -- add ------------------------------------------------------------------------------------------


def test_add_from_a_uri_stores_the_password_encrypted(secrets_home):
    result = run("connections", "add", "db", "--conn-uri", URI, "--conn-description", "main")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Successfully added `conn_id`=db\n")
    assert PASSWORD not in result.output
    assert PASSWORD not in raw_tables(secrets_home) and "require" not in raw_tables(secrets_home)
    row = get_json("db", "--show-secrets")
    assert (row["password"], row["description"], row["extra_dejson"]) == (
        PASSWORD,
        "main",
        {"sslmode": "require"},
    )
    assert row["get_uri"] == URI


def test_add_from_fields_and_from_json(secrets_home):
    run(
        "connections", "add", "api", "--conn-type", "http", "--conn-host", "api.example.com",
        "--conn-login", "me", "--conn-password", "pw-123456", "--conn-port", "8443",
        "--conn-extra", '{"api_key": "k-123456"}',
    )  # fmt: skip
    row = get_json("api", "--show-secrets")
    assert (row["host"], row["port"], row["extra_dejson"]) == (
        "api.example.com",
        8443,
        {"api_key": "k-123456"},
    )
    conn_json = json.dumps({"conn_type": "redis", "host": "cache", "password": "r-123456"})
    assert run("connections", "add", "cache", "--conn-json", conn_json).exit_code == 0
    assert get_json("cache", "--show-secrets")["password"] == "r-123456"


def test_add_refuses_an_existing_id(secrets_home, monkeypatch, capsys):
    run("connections", "add", "db", "--conn-uri", URI)
    result = run("connections", "add", "db", "--conn-type", "http")
    assert isinstance(result.exception, ConflictError)
    assert str(result.exception) == "A connection with `conn_id`=db already exists."
    code, _, err = exit_code_of(monkeypatch, capsys, "connections", "add", "db", "--conn-type", "http")
    assert code == 4 and "already exists" in err


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({}, "Must supply either conn-uri or conn-json"),
        ({"conn_uri": "http://h", "conn_json": "{}"}, "Cannot supply both"),
        ({"conn_uri": "http://h", "conn_host": "x"}, "--conn-host"),
        ({"conn_json": '{"conn_type": "x"}', "conn_extra": "{}"}, "--conn-extra"),
        ({"conn_json": '{"host": "x"}'}, "must supply conn-type"),
        ({"conn_type": "http", "conn_extra": "[1]"}, "JSON object"),
        ({"conn_type": "http", "conn_extra": "{oops"}, "not valid JSON"),
        ({"conn_uri": "no scheme with secret-pw"}, "not a connection URI"),
    ],
)
def test_add_option_rules_follow_airflow(options, problem):
    with pytest.raises(InvalidInputError, match=problem) as info:
        connection_from_options("c", options)
    assert "secret-pw" not in str(info.value)


def test_add_with_a_uri_and_an_extra_option(secrets_home):
    run("connections", "add", "c", "--conn-uri", "http://h", "--conn-extra", '{"a": "b"}')
    assert get_json("c")["extra_dejson"] == {"a": "b"}


def test_add_rejects_a_bad_id(secrets_home):
    assert isinstance(run("connections", "add", "bad id", "--conn-type", "http").exception, InvalidInputError)


# -- get / list ------------------------------------------------------------------------------------


def test_get_masks_secrets_unless_asked(secrets_home):
    run("connections", "add", "api", "--conn-uri", "http://me:pw-123456@h/?api_key=k-123456&region=eu")
    row = get_json("api")
    assert row["password"] == "***"
    assert row["extra_dejson"] == {"api_key": "***", "region": "eu"}
    assert row["get_uri"] == "http://me:***@h/?api_key=***&region=eu"
    table = run("connections", "get", "api").output
    assert "pw-123456" not in table and "k-123456" not in table
    assert get_json("api", "--show-secrets")["password"] == "pw-123456"


def test_get_finds_environment_connections(secrets_home, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_FROM_ENV", "redis://:env-pw-1234@cache:6379")
    row = get_json("from_env")
    assert (row["host"], row["password"]) == ("cache", "***")
    assert isinstance(run("connections", "get", "nope").exception, NotFoundError)


def test_list_ids_by_default_and_masked_details_on_request(secrets_home):
    run("connections", "add", "b", "--conn-uri", "http://me:pw-123456@h")
    run("connections", "add", "a", "--conn-type", "redis")
    assert json.loads(run("connections", "list", "-o", "json").output) == [
        {"conn_id": "a", "conn_type": "redis"},
        {"conn_id": "b", "conn_type": "http"},
    ]
    details = json.loads(run("connections", "list", "--show-values", "--conn-id", "b", "-o", "json").output)
    assert [(d["conn_id"], d["password"]) for d in details] == [("b", "***")]
    hidden = run("connections", "list", "--show-values", "--hide-sensitive", "-o", "yaml")
    assert "pw-123456" not in hidden.output
    assert isinstance(run("connections", "list", "--hide-sensitive").exception, InvalidInputError)


# -- delete / import / export ----------------------------------------------------------------------


def test_delete(secrets_home):
    run("connections", "add", "c", "--conn-type", "http")
    assert run("connections", "delete", "c").output == "Successfully deleted connection with `conn_id`=c\n"
    result = run("connections", "delete", "c")
    assert str(result.exception) == "Did not find a connection with `conn_id`=c"


@pytest.mark.parametrize(("name", "fmt_options"), [
    ("conns.json", []),
    ("conns.yaml", []),
    ("conns.env", []),
    ("conns.env", ["--serialization-format", "json"]),
    ("anything.txt", ["--file-format", "yaml"]),
])  # fmt: skip
def test_export_then_import_round_trips(secrets_home, name, fmt_options):
    run("connections", "add", "db", "--conn-uri", URI)
    run("connections", "add", "api", "--conn-type", "http", "--conn-extra", '{"timeout": 30}')
    before = {c: get_json(c, "--show-secrets") for c in ("db", "api")}
    path = secrets_home / name
    result = run("connections", "export", str(path), *fmt_options)
    assert result.output == f"2 connections successfully exported to {path}\n"
    assert path.stat().st_mode & 0o777 == 0o600
    run("connections", "delete", "db")
    run("connections", "delete", "api")
    if path.suffix == ".txt":
        path = path.rename(path.with_suffix(".yaml"))
    imported = run("connections", "import", str(path))
    assert "Imported connection api" in imported.output and "Imported connection db" in imported.output
    assert {c: get_json(c, "--show-secrets") for c in ("db", "api")} == before


def test_import_skips_existing_unless_overwrite(secrets_home):
    run("connections", "add", "c", "--conn-type", "http", "--conn-host", "old")
    path = secrets_home / "c.json"
    path.write_text(json.dumps({"c": {"conn_type": "http", "host": "new"}}))
    result = run("connections", "import", str(path))
    assert result.output == "Could not import connection c: connection already exists.\n"
    assert get_json("c")["host"] == "old"
    run("connections", "import", str(path), "--overwrite")
    assert get_json("c")["host"] == "new"


def test_import_refuses_a_bad_file_before_writing_anything(secrets_home):
    path = secrets_home / "c.yaml"
    path.write_text(yaml.safe_dump({"good": "http://h", "bad": {"conn_type": "http", "hostname": "x"}}))
    result = run("connections", "import", str(path))
    assert isinstance(result.exception, InvalidInputError) and "'bad'" in str(result.exception)
    assert json.loads(run("connections", "list", "-o", "json").output) == []


def test_export_option_rules(secrets_home):
    result = run("connections", "export", str(secrets_home / "c.json"), "--serialization-format", "uri")
    assert isinstance(result.exception, InvalidInputError)
    assert isinstance(run("connections", "export", str(secrets_home / "c.txt")).exception, InvalidInputError)
    stdout = run("connections", "export", "-")
    assert json.loads(stdout.stdout) == {} and "exported to -" in stdout.stderr


# -- test ----------------------------------------------------------------------------------------


def test_test_passes_fails_and_says_when_there_is_no_test(secrets_home, monkeypatch, capsys):
    database = secrets_home / "app.db"
    sqlite3.connect(database).close()
    run("connections", "add", "lite", "--conn-type", "sqlite", "--conn-host", str(database))
    run("connections", "add", "gone", "--conn-type", "sqlite", "--conn-host", str(secrets_home / "gone.db"))
    run("connections", "add", "my", "--conn-type", "mysql")
    code, out, _ = exit_code_of(monkeypatch, capsys, "connections", "test", "lite")
    assert code == 0 and "Connection success!" in out
    code, out, _ = exit_code_of(monkeypatch, capsys, "connections", "test", "gone")
    assert code == 1 and "Connection failed!" in out
    code, _, err = exit_code_of(monkeypatch, capsys, "connections", "test", "my")
    assert code == 2 and "No test is available for connection type 'mysql'" in err
    code, _, _ = exit_code_of(monkeypatch, capsys, "connections", "test", "nope")
    assert code == 3


def test_registered_on_the_brisa_command():
    cli_main._register_all()
    commands = cli_main.cli.commands["connections"].commands
    assert set(commands) == {
        "add",
        "get",
        "list",
        "delete",
        "import",
        "export",
        "test",
        "create-default-connections",
    }


def test_create_default_connections_adds_airflows_defaults_and_keeps_existing_ones(tmp_path):
    from brisa_cli import brisa, home_env

    from brisa.secrets.fernet import generate_key

    env = home_env(tmp_path, BRISA__CORE__FERNET_KEY=generate_key())
    assert brisa("db", "migrate", env=env).returncode == 0
    added = brisa("connections", "add", "http_default", "--conn-uri", "http://mine.example", env=env)
    assert added.returncode == 0, added.stderr
    result = brisa("connections", "create-default-connections", env=env)
    assert result.returncode == 0, result.stderr
    assert "1 already existed" in result.stdout
    listed = json.loads(brisa("connections", "list", "-o", "json", env=env).stdout)
    ids = {c["conn_id"] for c in listed}
    assert {"postgres_default", "fs_default", "smtp_default", "sqlite_default"} <= ids
    http = json.loads(brisa("connections", "get", "http_default", "-o", "json", env=env).stdout)
    assert "mine.example" in json.dumps(http)
