"""Value parsers: what each kind of option accepts and refuses."""

import pytest

from brisa.errors import ConfigError
from tests.config.support import load, write


def test_authenticate_false_is_refused(home):
    with pytest.raises(ConfigError, match=r"AIRFLOW__WEBSERVER__AUTHENTICATE.*no unauthenticated mode"):
        load({"AIRFLOW__WEBSERVER__AUTHENTICATE": "False"}, home=home)


def test_authenticate_false_in_a_file_is_refused_unless_overridden(home):
    write(home / "airflow.cfg", "[webserver]\nauthenticate = False\n")
    with pytest.raises(ConfigError, match=r"airflow.cfg \[webserver\] authenticate"):
        load(home=home)
    assert load({"AIRFLOW__WEBSERVER__AUTHENTICATE": "True"}, home=home).api.authenticate is True


@pytest.mark.parametrize(
    "backend", ["airflow.contrib.auth.backends.ldap_auth", "airflow.contrib.auth.backends.google_auth"]
)
def test_non_password_auth_backends_are_refused(home, backend):
    with pytest.raises(ConfigError, match="not supported"):
        load({"AIRFLOW__WEBSERVER__AUTH_BACKEND": backend}, home=home)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CeleryExecutor", "CeleryExecutor"),
        ("airflow.executors.local_executor.LocalExecutor", "LocalExecutor"),
    ],
)
def test_executors(home, value, expected):
    assert load({"AIRFLOW__CORE__EXECUTOR": value}, home=home).core.executor == expected


@pytest.mark.parametrize("value", ["KubernetesExecutor", "LocalExecutor,CeleryExecutor", "DaskExecutor"])
def test_unsupported_executors_are_refused(home, value):
    with pytest.raises(ConfigError, match="AIRFLOW__CORE__EXECUTOR"):
        load({"AIRFLOW__CORE__EXECUTOR": value}, home=home)


@pytest.mark.parametrize(
    ("text", "expected"), [("True", True), ("false", False), ("1", True), ("0", False), ("True # c", True)]
)
def test_booleans(home, text, expected):
    assert load({"AIRFLOW__CORE__LOAD_EXAMPLES": text}, home=home).core.load_examples is expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AIRFLOW__CORE__DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("AIRFLOW__LOGGING__LEVEL", "LOUD"),
        ("AIRFLOW__LOGGING__FORMAT", "xml"),
        ("AIRFLOW__API__PORT", "70000"),
        ("AIRFLOW__CORE__PARALLELISM", "0"),
        ("AIRFLOW__CORE__DEFAULT_AIRFLOW_GENERATION", "1"),
        ("AIRFLOW__SECRETS__BACKENDS", "env,vault"),
        ("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "-1"),
    ],
)
def test_invalid_values_are_config_errors(home, variable, value):
    with pytest.raises(ConfigError, match=variable):
        load({variable: value}, home=home)


def test_timezone_names(home):
    assert load(
        {"AIRFLOW__CORE__DEFAULT_TIMEZONE": "America/Sao_Paulo"}, home=home
    ).core.default_timezone == ("America/Sao_Paulo")


def test_expose_config_accepts_airflows_non_sensitive_only(home):
    assert (
        load({"AIRFLOW__WEBSERVER__EXPOSE_CONFIG": "non-sensitive-only"}, home=home).api.expose_config is True
    )
