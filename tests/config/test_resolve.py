"""Which candidate wins for an option, and the errors that name where a bad value came from."""

import pytest

from brisa.errors import ConfigError
from tests.config.support import load, write


def test_the_new_name_wins_over_the_old_one_in_the_same_layer(home):
    environ = {
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN": "sqlite:////old.db",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "sqlite:////new.db",
    }
    assert load(environ, home=home).database.sql_alchemy_conn == "sqlite:////new.db"


def test_plain_value_wins_over_cmd(home):
    environ = {"AIRFLOW__CORE__FERNET_KEY": "plain", "AIRFLOW__CORE__FERNET_KEY_CMD": "false"}
    assert load(environ, home=home).core.fernet_key == "plain"


def test_cmd_on_a_non_sensitive_option_is_not_run(home):
    settings = load({"AIRFLOW__CORE__PARALLELISM_CMD": "echo 99"}, home=home)
    assert settings.core.parallelism == 8
    assert settings.item("core", "parallelism_cmd").known is False


def test_bad_value_from_the_environment_names_the_variable_and_value(home):
    with pytest.raises(
        ConfigError, match=r"\[core\] parallelism = 'lots' from env AIRFLOW__CORE__PARALLELISM"
    ):
        load({"AIRFLOW__CORE__PARALLELISM": "lots"}, home=home)


def test_bad_value_from_a_file_names_the_file_and_key(home):
    write(home / "brisa.cfg", "[core]\nload_examples = maybe\n")
    with pytest.raises(ConfigError, match=r"'maybe' from .*brisa.cfg \[core\] load_examples"):
        load(home=home)


def test_bad_sensitive_value_is_not_echoed(home):
    with pytest.raises(ConfigError, match="sql_alchemy_conn") as info:
        load({"BRISA__DATABASE__SQL_ALCHEMY_CONN": "hunter22-no-scheme"}, home=home)
    assert "hunter22" not in str(info.value)
