"""One contract every secrets backend passes, then each backend's own rules.

To run a new backend through the contract, add a factory to ``BACKEND_FACTORIES``: it
receives connections (id -> fields) and variables (key -> value) and returns a backend
that holds exactly those.
"""

import json
from collections.abc import Callable, Mapping

import pytest

from brisa.errors import ConfigError, InvalidInputError
from brisa.secrets.backends import (
    CONNECTION_KEYS,
    BaseSecretsBackend,
    ChainBackend,
    EnvironmentBackend,
    MemoryBackend,
)
from brisa.secrets.uri import format_uri

Factory = Callable[[Mapping[str, dict], Mapping[str, str]], BaseSecretsBackend]

CONNECTIONS = {
    "my_postgres": {
        "conn_type": "postgres",
        "host": "db.example.com",
        "schema": "app",
        "login": "me",
        "password": "p@ss/w:rd%",
        "port": 5432,
        "extra": {"sslmode": "require"},
    },
    "my_api": {
        "conn_type": "http",
        "host": "https://api.example.com",
        "schema": None,
        "login": None,
        "password": None,
        "port": None,
        "extra": {"timeout": 30, "headers": {"X-Env": "prod"}},
    },
}
VARIABLES = {"region": "eu-west-1", "config_json": '{"a": [1, 2]}', "empty": ""}


def env_with_uris(connections, variables):
    environ = {f"AIRFLOW_CONN_{conn_id.upper()}": format_uri(c) for conn_id, c in connections.items()}
    environ |= {f"AIRFLOW_VAR_{key.upper()}": value for key, value in variables.items()}
    return EnvironmentBackend(environ)


def env_with_json(connections, variables):
    environ = {f"BRISA_CONN_{conn_id.upper()}": "  " + json.dumps(c) for conn_id, c in connections.items()}
    environ |= {f"BRISA_VAR_{key.upper()}": value for key, value in variables.items()}
    return EnvironmentBackend(environ)


def chain_behind_an_empty_backend(connections, variables):
    return ChainBackend([MemoryBackend(), MemoryBackend(connections, variables)])


def metastore(connections, variables):
    """The metadata database (SQLite in memory), written encrypted through SecretsService."""
    from brisa.secrets.fernet import FernetCodec, generate_key
    from brisa.secrets.service import SecretsService
    from brisa.testing import memory_store

    service = SecretsService(memory_store(), FernetCodec([generate_key()]), [])
    for conn_id, conn in connections.items():
        service.set_connection({"conn_id": conn_id, **conn})
    for key, value in variables.items():
        service.set_variable(key, value)
    return service.metastore


BACKEND_FACTORIES: dict[str, Factory] = {
    "memory": MemoryBackend,
    "environment-uri": env_with_uris,
    "environment-json": env_with_json,
    "chain": chain_behind_an_empty_backend,
    "metastore": metastore,
}


@pytest.fixture(params=sorted(BACKEND_FACTORIES))
def backend(request) -> BaseSecretsBackend:
    return BACKEND_FACTORIES[request.param](CONNECTIONS, VARIABLES)


class TestBackendContract:
    @pytest.mark.parametrize("conn_id", sorted(CONNECTIONS))
    def test_returns_the_stored_connection(self, backend, conn_id):
        expected = {"conn_id": conn_id, "description": None, **CONNECTIONS[conn_id]}
        assert backend.get_connection(conn_id) == expected

    def test_connection_has_every_key_and_a_dict_extra(self, backend):
        conn = backend.get_connection("my_api")
        assert tuple(conn) == CONNECTION_KEYS
        assert isinstance(conn["extra"], dict)

    def test_missing_connection_is_none(self, backend):
        assert backend.get_connection("not_there") is None

    def test_callers_may_change_what_they_get(self, backend):
        first = backend.get_connection("my_api")
        first["host"] = "changed"
        first["extra"]["headers"]["X-Env"] = "changed"
        assert backend.get_connection("my_api") == {
            "conn_id": "my_api",
            "description": None,
            **CONNECTIONS["my_api"],
        }

    @pytest.mark.parametrize("key", sorted(VARIABLES))
    def test_returns_stored_variables_verbatim(self, backend, key):
        assert backend.get_variable(key) == VARIABLES[key]

    def test_missing_variable_is_none(self, backend):
        assert backend.get_variable("not_there") is None


# -- environment ------------------------------------------------------------------------


def test_environment_ids_are_upper_cased_like_airflow():
    backend = EnvironmentBackend({"AIRFLOW_CONN_MY_DB": "postgres://h/db", "AIRFLOW_VAR_MY_KEY": "v"})
    assert backend.get_connection("my_db")["host"] == "h"
    assert backend.get_connection("MY_DB")["conn_id"] == "MY_DB"
    assert backend.get_variable("my_key") == "v"


def test_brisa_prefix_wins_over_airflow_prefix():
    backend = EnvironmentBackend(
        {
            "AIRFLOW_CONN_DB": "postgres://airflow-host/db",
            "BRISA_CONN_DB": "postgres://brisa-host/db",
            "AIRFLOW_VAR_X": "airflow",
            "BRISA_VAR_X": "brisa",
        }
    )
    assert backend.get_connection("db")["host"] == "brisa-host"
    assert backend.get_variable("x") == "brisa"


def test_empty_connection_variable_counts_as_unset():
    backend = EnvironmentBackend({"BRISA_CONN_DB": " ", "AIRFLOW_CONN_DB": "postgres://h/db"})
    assert backend.get_connection("db")["host"] == "h"
    assert EnvironmentBackend({"AIRFLOW_CONN_DB": ""}).get_connection("db") is None


def test_malformed_environment_connection_names_the_variable_not_the_password():
    backend = EnvironmentBackend({"AIRFLOW_CONN_DB": "postgres://me:hunter22@host:port/db"})
    with pytest.raises(ConfigError, match="AIRFLOW_CONN_DB") as info:
        backend.get_connection("db")
    assert "hunter22" not in str(info.value)


def test_malformed_environment_json_is_a_config_error():
    with pytest.raises(ConfigError, match="BRISA_CONN_DB"):
        EnvironmentBackend({"BRISA_CONN_DB": '{"conn_type": 1}'}).get_connection("db")


# -- memory and chain ---------------------------------------------------------------------


def test_memory_backend_is_case_sensitive_and_takes_uris():
    backend = MemoryBackend({"Db": "mysql://u:p@h:3306/s"}, {"Key": "v"})
    assert backend.get_connection("Db")["port"] == 3306
    assert backend.get_connection("db") is None
    assert backend.get_variable("key") is None
    backend.set_variable("key", "w")
    assert backend.get_variable("key") == "w"


def test_memory_backend_rejects_unknown_fields():
    with pytest.raises(InvalidInputError, match="hostname"):
        MemoryBackend({"db": {"conn_type": "x", "hostname": "h"}})


def test_chain_asks_in_order_and_the_first_answer_wins():
    first = MemoryBackend({"db": {"conn_type": "first"}}, {"x": "first"})
    second = MemoryBackend({"db": {"conn_type": "second"}, "only2": {"conn_type": "y"}}, {"x": "2", "y": "2"})
    chain = ChainBackend([first, second])
    assert chain.get_connection("db")["conn_type"] == "first"
    assert chain.get_connection("only2")["conn_type"] == "y"
    assert chain.get_variable("x") == "first"
    assert chain.get_variable("y") == "2"


def test_chain_does_not_skip_a_failing_backend():
    broken = EnvironmentBackend({"AIRFLOW_CONN_DB": "not a uri"})
    chain = ChainBackend([broken, MemoryBackend({"db": {"conn_type": "x"}})])
    with pytest.raises(ConfigError):
        chain.get_connection("db")


@pytest.mark.parametrize("module", ["backends", "fernet", "masking", "uri"])
def test_public_names_are_exported(module):
    import importlib

    imported = importlib.import_module(f"brisa.secrets.{module}")
    assert imported.__all__ and all(hasattr(imported, name) for name in imported.__all__)
