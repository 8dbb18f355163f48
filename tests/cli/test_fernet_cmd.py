import os

import pytest
from secrets_cli import exit_code_of, invoke, prepare_home, raw_tables

from brisa.cli import main as cli_main
from brisa.cli.fernet_cmd import register as register_fernet
from brisa.cli.variables_cmd import register as register_variables
from brisa.secrets.fernet import FernetCodec, generate_key


@pytest.fixture
def secrets_home(monkeypatch, tmp_path):
    return prepare_home(monkeypatch, tmp_path)


def test_generate_prints_a_usable_key():
    result = invoke(register_fernet, "fernet-key", "generate")
    key = result.output.strip()
    assert result.exit_code == 0 and len(key) == 44
    codec = FernetCodec([key])
    assert codec.decrypt(codec.encrypt("x")) == "x"
    assert invoke(register_fernet, "fernet-key", "generate").output.strip() != key


def test_rotation_moves_everything_to_the_new_key(secrets_home, monkeypatch, capsys):
    old = os.environ["BRISA__CORE__FERNET_KEY"]
    invoke(register_variables, "variables", "set", "api_token", "token-12345")
    before = raw_tables(secrets_home)
    new = generate_key()
    monkeypatch.setenv("BRISA__CORE__FERNET_KEY", f"{new},{old}")
    code, out, _ = exit_code_of(monkeypatch, capsys, "rotate-fernet-key")
    assert code == 0
    assert "Re-encrypted 1 variable(s), 0 connection(s) and 0 trigger(s)" in out
    assert "remove them" in out
    assert raw_tables(secrets_home) != before and "token-12345" not in raw_tables(secrets_home)
    monkeypatch.setenv("BRISA__CORE__FERNET_KEY", new)
    assert invoke(register_variables, "variables", "get", "api_token").output == "token-12345\n"


def test_rotation_with_a_wrong_key_exits_with_the_secrets_code_and_changes_nothing(
    secrets_home, monkeypatch, capsys
):
    invoke(register_variables, "variables", "set", "api_token", "token-12345")
    before = raw_tables(secrets_home)
    monkeypatch.setenv("BRISA__CORE__FERNET_KEY", generate_key())
    code, _, err = exit_code_of(monkeypatch, capsys, "rotate-fernet-key")
    assert code == 8
    assert "variable 'api_token'" in err and "nothing was changed" in err
    assert raw_tables(secrets_home) == before


def test_rotation_does_not_invent_a_key(secrets_home, monkeypatch, capsys):
    monkeypatch.delenv("BRISA__CORE__FERNET_KEY")
    code, _, err = exit_code_of(monkeypatch, capsys, "rotate-fernet-key")
    assert code == 8 and "no fernet key configured" in err
    assert not (secrets_home / "brisa.cfg").exists()


def test_rotation_reports_values_that_were_stored_in_clear(secrets_home, monkeypatch, capsys):
    import sqlalchemy as sa

    invoke(register_variables, "variables", "set", "x", "y")  # creates the schema
    engine = sa.create_engine(f"sqlite:///{secrets_home}/brisa.db")
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO variable (key, val, is_encrypted) VALUES ('legacy', 'clear-text', 0)")
        )
    engine.dispose()
    code, out, _ = exit_code_of(monkeypatch, capsys, "rotate-fernet-key")
    assert code == 0 and "1 value(s) were stored unencrypted and are now encrypted." in out
    assert "clear-text" not in raw_tables(secrets_home)


def test_registered_on_the_brisa_command():
    cli_main._register_all()
    assert "rotate-fernet-key" in cli_main.cli.commands
    assert set(cli_main.cli.commands["fernet-key"].commands) == {"generate"}


def test_public_names_are_exported():
    from brisa.cli import connections_cmd, fernet_cmd, secrets_wiring, variables_cmd

    for module in (connections_cmd, fernet_cmd, secrets_wiring, variables_cmd):
        assert all(hasattr(module, name) for name in module.__all__)
