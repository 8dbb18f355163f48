import json

import pytest
import yaml
from secrets_cli import exit_code_of, invoke, prepare_home, raw_tables

from brisa.cli import main as cli_main
from brisa.cli.variables_cmd import register
from brisa.errors import ConflictError, InvalidInputError, NotFoundError


@pytest.fixture
def secrets_home(monkeypatch, tmp_path):
    return prepare_home(monkeypatch, tmp_path)


def run(*args, **kwargs):
    return invoke(register, *args, **kwargs)


def test_set_then_get_and_the_value_is_encrypted_at_rest(secrets_home):
    result = run("variables", "set", "api_password", "hunter2-secret", "--description", "the pw")
    assert result.exit_code == 0, result.output
    assert result.output == "Variable api_password created\n"
    assert run("variables", "get", "api_password").output == "hunter2-secret\n"
    assert "hunter2-secret" not in raw_tables(secrets_home)


def test_serialize_json_checks_and_stores_json(secrets_home):
    assert run("variables", "set", "cfg", "-j", '{"a": [1, 2]}').exit_code == 0
    assert json.loads(run("variables", "get", "cfg", "-j").output) == {"a": [1, 2]}
    bad = run("variables", "set", "cfg", "--serialize-json", "{not json")
    assert isinstance(bad.exception, InvalidInputError)


def test_get_deserialize_json_prints_strings_bare(secrets_home):
    run("variables", "set", "s", '"quoted"')
    assert run("variables", "get", "s").output == '"quoted"\n'
    assert run("variables", "get", "s", "--deserialize-json").output == "quoted\n"
    run("variables", "set", "plain", "not json")
    assert isinstance(run("variables", "get", "plain", "-j").exception, InvalidInputError)


def test_get_reads_the_environment_first(secrets_home, monkeypatch):
    run("variables", "set", "region", "from-db")
    monkeypatch.setenv("AIRFLOW_VAR_REGION", "from-env")
    assert run("variables", "get", "region").output == "from-env\n"


def test_get_a_missing_variable(secrets_home, monkeypatch, capsys):
    assert run("variables", "get", "nope", "-d", "fallback").output == "fallback\n"
    result = run("variables", "get", "nope")
    assert isinstance(result.exception, NotFoundError)
    code, _, err = exit_code_of(monkeypatch, capsys, "variables", "get", "nope")
    assert code == 3 and "Variable nope does not exist" in err


def test_list_shows_keys_then_masked_values(secrets_home):
    run("variables", "set", "region", "eu-west-1")
    run("variables", "set", "db_password", "hunter2-secret")
    run("variables", "set", "cfg", '{"user": "me", "token": "tok-12345"}')
    keys = json.loads(run("variables", "list", "-o", "json").output)
    assert keys == [{"key": "cfg"}, {"key": "db_password"}, {"key": "region"}]
    shown = json.loads(run("variables", "list", "--show-values", "-o", "json").output)
    assert shown == [
        {"key": "cfg", "val": '{"user": "me", "token": "***"}'},
        {"key": "db_password", "val": "***"},
        {"key": "region", "val": "eu-west-1"},
    ]
    hidden = json.loads(run("variables", "list", "--show-values", "--hide-sensitive", "-o", "json").output)
    assert {row["val"] for row in hidden} == {"***"}
    assert isinstance(run("variables", "list", "--hide-sensitive").exception, InvalidInputError)


def test_list_flags_values_it_cannot_decrypt_and_shows_the_rest(secrets_home, monkeypatch):
    from brisa.secrets.fernet import generate_key

    run("variables", "set", "old", "written-with-old-key")
    monkeypatch.setenv("BRISA__CORE__FERNET_KEY", generate_key())
    run("variables", "set", "new", "fine")
    result = run("variables", "list", "--show-values", "-o", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows == [{"key": "new", "val": "fine"}, {"key": "old", "val": "<cannot decrypt>"}]
    assert "variable 'old' cannot be decrypted" in result.stderr


def test_delete(secrets_home):
    run("variables", "set", "k", "v")
    assert run("variables", "delete", "k").output == "Variable k deleted\n"
    assert isinstance(run("variables", "delete", "k").exception, NotFoundError)


def test_import_json_like_airflow(secrets_home):
    path = secrets_home / "vars.json"
    document = {"text": "t", "number": 5, "obj": {"a": 1}, "described": {"value": "v", "description": "d"}}
    path.write_text(json.dumps(document))
    result = run("variables", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "4 of 4 variables successfully updated." in result.output
    assert run("variables", "get", "number").output == "5\n"
    assert json.loads(run("variables", "get", "obj").output) == {"a": 1}


def test_import_yaml_and_env_and_the_existing_key_actions(secrets_home):
    run("variables", "set", "a", "old")
    (secrets_home / "vars.yaml").write_text("a: new\nb: bee\n")
    skipped = run("variables", "import", str(secrets_home / "vars.yaml"), "-a", "skip")
    assert "1 of 2 variables successfully updated." in skipped.output and "['a']" in skipped.output
    assert run("variables", "get", "a").output == "old\n"
    failed = run("variables", "import", str(secrets_home / "vars.yaml"), "--action-on-existing-key", "fail")
    assert isinstance(failed.exception, ConflictError)
    (secrets_home / "vars.env").write_text("# comment\na=from env file\n")
    assert run("variables", "import", str(secrets_home / "vars.env")).exit_code == 0
    assert run("variables", "get", "a").output == "from env file\n"


def test_import_errors(secrets_home):
    assert isinstance(run("variables", "import", str(secrets_home / "nope.json")).exception, NotFoundError)
    (secrets_home / "vars.txt").write_text("{}")
    assert isinstance(run("variables", "import", str(secrets_home / "vars.txt")).exception, InvalidInputError)


def test_export_round_trips_and_is_private(secrets_home):
    run("variables", "set", "text", "plain")
    run("variables", "set", "obj", "-j", '{"a": [1, 2]}')
    run("variables", "set", "described", "v", "--description", "about v")
    path = secrets_home / "out.json"
    result = run("variables", "export", str(path))
    assert result.output == f"3 variables successfully exported to {path}\n"
    assert path.stat().st_mode & 0o777 == 0o600
    document = json.loads(path.read_text())
    assert document == {
        "described": {"value": "v", "description": "about v"},
        "obj": {"a": [1, 2]},
        "text": "plain",
    }
    run("variables", "delete", "text")
    run("variables", "import", str(path))
    assert run("variables", "get", "text").output == "plain\n"


def test_export_yaml_and_to_stdout(secrets_home):
    run("variables", "set", "k", "v")
    run("variables", "export", str(secrets_home / "out.yml"))
    assert yaml.safe_load((secrets_home / "out.yml").read_text()) == {"k": "v"}
    result = run("variables", "export", "-")
    assert json.loads(result.stdout) == {"k": "v"}
    assert "exported to -" in result.stderr


def test_registered_on_the_brisa_command():
    cli_main._register_all()
    commands = cli_main.cli.commands["variables"].commands
    assert set(commands) == {"set", "get", "list", "delete", "import", "export"}
