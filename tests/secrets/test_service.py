"""SecretsService and MetastoreBackend on every store: encrypted at rest, errors that name the value."""

import types

import pytest
import sqlalchemy as sa

from brisa.errors import ConfigError, ConflictError, InvalidInputError, NotFoundError, SecretsError
from brisa.secrets.backends import EnvironmentBackend
from brisa.secrets.fernet import FernetCodec, derive_key, generate_key
from brisa.secrets.masking import SecretsMasker
from brisa.secrets.service import SecretsService
from brisa.secrets.uri import format_uri, parse_uri
from brisa.store import schema

KEY = generate_key()
OTHER_KEY = generate_key()


def service_for(store, *keys, backends=None):
    codec = FernetCodec(list(keys or [KEY]))
    service = SecretsService(store, codec, [])
    service.chain.backends = tuple(backends) if backends is not None else (service.metastore,)
    return service


def raw_rows(store, table):
    with store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(sa.select(table))]


def raw_text(store):
    return repr(raw_rows(store, schema.variable)) + repr(raw_rows(store, schema.connection))


# -- encryption at rest ---------------------------------------------------------------------------


def test_values_are_encrypted_in_the_database_and_read_back(store):
    service = service_for(store)
    service.set_variable("api_password", "var-plaintext-1")
    service.set_variable("settings", {"nested": ["json-plaintext-2"]})
    service.set_connection(
        {
            "conn_id": "db",
            "conn_type": "postgres",
            "host": "db.example.com",
            "password": "conn-plaintext-3",
            "extra": {"api_key": "extra-plaintext-4"},
        }
    )
    text = raw_text(store)
    for secret in ("var-plaintext-1", "json-plaintext-2", "conn-plaintext-3", "extra-plaintext-4"):
        assert secret not in text
    assert all(row["is_encrypted"] for row in raw_rows(store, schema.variable))
    [row] = raw_rows(store, schema.connection)
    assert row["is_encrypted"] and row["is_extra_encrypted"] and row["host"] == "db.example.com"
    assert service.get_variable("api_password") == "var-plaintext-1"
    assert service.get_variable("settings") == '{"nested": ["json-plaintext-2"]}'
    conn = service.get_connection("db")
    assert conn["password"] == "conn-plaintext-3"
    assert conn["extra"] == {"api_key": "extra-plaintext-4"}


def test_plaintext_rows_from_an_airflow_database_are_read(store):
    with store.transaction() as tx:
        tx.variables.put("legacy", "plain value", description=None, is_encrypted=False)
    assert service_for(store).get_variable("legacy") == "plain value"


TRICKY_URIS = [
    "postgres://user:p%40ss%2Fw%3Ard%25%20x@db.example.com:5432/app",
    "postgres://us%40er:%3A%40%2F%3F%23%5B%5D@[::1]:5432/db",
    "http://login:pw@[2001:db8::1]:8080/?timeout=30&verify=false",
    "mysql://u:p@Host.Example.COM:3306/s?charset=utf8mb4&ssl_ca=%2Fetc%2Fca.pem",
    "aws://AKIA:secret%2Bwith%2Fslash%3D@/?region_name=eu-west-1",
    "http://https%3A%2F%2Fapi.example.com%2Fv1/?__extra__=%7B%22nested%22%3A+%7B%22a%22%3A+1%7D%7D",
    "https://me:%E2%82%AC%20uro%20pass@api.example.com",
]


@pytest.mark.parametrize("uri", TRICKY_URIS)
def test_connection_uris_round_trip_through_the_database(store, uri):
    service = service_for(store)
    fields = parse_uri(uri)
    service.set_connection({"conn_id": "tricky", **fields})
    stored = service.get_connection("tricky")
    assert {k: stored[k] for k in fields} == fields
    assert parse_uri(format_uri(stored)) == fields


# -- errors that name the value ----------------------------------------------------------------------


def test_a_value_no_key_decrypts_names_the_variable_and_others_stay_readable(store):
    service_for(store, OTHER_KEY).set_variable("old_one", "written-with-the-old-key")
    current = service_for(store)
    current.set_variable("new_one", "fine")
    with pytest.raises(SecretsError, match="variable 'old_one'") as info:
        current.get_variable("old_one")
    assert "written-with-the-old-key" not in str(info.value)
    assert "rotate-fernet-key" in str(info.value)
    assert current.get_variable("new_one") == "fine"
    entries = {e.key: e for e in current.list_variables().items}
    assert entries["old_one"].value is None and "old_one" in entries["old_one"].error
    assert entries["new_one"].value == "fine" and entries["new_one"].error is None


def test_an_undecryptable_connection_is_named_and_listed_with_its_error(store):
    service_for(store, OTHER_KEY).set_connection(
        {"conn_id": "c1", "conn_type": "http", "password": "pw-12345"}
    )
    current = service_for(store)
    with pytest.raises(SecretsError, match="password of connection 'c1'"):
        current.get_connection("c1")
    [entry] = current.list_connections().items
    assert entry.password is None and entry.error and entry.conn_type == "http"


def test_a_derived_key_error_says_secret_key_changed(store):
    writer = SecretsService(store, FernetCodec([derive_key("first secret")], derived=True), [])
    writer.set_variable("v", "x")
    reader = SecretsService(store, FernetCodec([derive_key("second secret")], derived=True), [])
    with pytest.raises(SecretsError, match="secret_key has changed"):
        reader.metastore.get_variable("v")


# -- the start-up key check -----------------------------------------------------------------------


def test_check_key_on_an_empty_database_checks_nothing(store):
    assert service_for(store).check_key() == 0


def test_check_key_decrypts_one_variable_and_one_connection(store):
    service = service_for(store)
    service.set_variable("v", "x")
    service.set_connection({"conn_id": "c", "conn_type": "http", "extra": {"a": "b"}})
    assert service.check_key() == 2
    assert service_for(store, OTHER_KEY, KEY).check_key() == 2


def test_check_key_with_a_wrong_key_explains_what_to_do(store):
    service_for(store).set_connection({"conn_id": "c", "conn_type": "http", "password": "pw-12345"})
    with pytest.raises(SecretsError) as info:
        service_for(store, OTHER_KEY).check_key()
    message = str(info.value)
    assert message.startswith("fernet key check failed: the password of connection 'c'")
    assert "[core] fernet_key = new,old" in message


def test_check_key_skips_plaintext_rows(store):
    with store.transaction() as tx:
        tx.variables.put("legacy", "plain", description=None, is_encrypted=False)
    assert service_for(store).check_key() == 0


# -- writes ----------------------------------------------------------------------------------------


def test_set_without_overwrite_refuses_existing_keys(store):
    service = service_for(store)
    service.set_variable("k", "v1", overwrite=False)
    with pytest.raises(ConflictError, match="'k'"):
        service.set_variable("k", "v2", overwrite=False)
    service.set_connection({"conn_id": "c", "conn_type": "http"}, overwrite=False)
    with pytest.raises(ConflictError, match="'c'"):
        service.set_connection({"conn_id": "c", "conn_type": "ftp"}, overwrite=False)
    assert service.get_variable("k") == "v1"
    assert service.get_connection("c")["conn_type"] == "http"


@pytest.mark.parametrize("conn_id", ["", "has space", "semi;colon", "x" * 201, None])
def test_connection_ids_follow_airflows_rule(memory_store, conn_id):
    with pytest.raises(InvalidInputError):
        service_for(memory_store).set_connection({"conn_id": conn_id, "conn_type": "http"})


@pytest.mark.parametrize("key", ["", "   ", "k" * 251])
def test_variable_keys_must_be_non_empty_and_fit_the_column(memory_store, key):
    with pytest.raises(InvalidInputError):
        service_for(memory_store).set_variable(key, "v")


def test_deleting_what_is_not_there_is_not_found(memory_store):
    service = service_for(memory_store)
    with pytest.raises(NotFoundError):
        service.delete_variable("nope")
    with pytest.raises(NotFoundError):
        service.delete_connection("nope")


def test_import_variables_overwrite_skip_and_fail(store):
    service = service_for(store)
    service.set_variable("a", "old")
    values = {"a": ("new", None), "b": ("bee", "described")}
    with pytest.raises(ConflictError, match="a"):
        service.import_variables(values, on_existing="fail")
    assert service.get_variable("b") is None  # nothing written
    report = service.import_variables(values, on_existing="skip")
    assert report.imported == ("b",) and report.skipped == ("a",)
    assert service.get_variable("a") == "old"
    assert service.variable_entry("b").description == "described"
    report = service.import_variables(values)
    assert report.imported == ("a", "b") and service.get_variable("a") == "new"


def test_import_connections_skips_existing_unless_overwrite(store):
    service = service_for(store)
    service.set_connection({"conn_id": "a", "conn_type": "http", "host": "old"})
    conns = {"a": {"conn_type": "http", "host": "new"}, "b": {"conn_type": "redis", "password": "pw-b12345"}}
    report = service.import_connections(conns)
    assert report.imported == ("b",) and report.skipped == ("a",)
    assert service.get_connection("a")["host"] == "old"
    assert "pw-b12345" not in raw_text(store)
    assert service.import_connections(conns, overwrite=True).imported == ("a", "b")
    assert service.get_connection("a")["host"] == "new"


def test_an_invalid_connection_in_an_import_writes_nothing(memory_store):
    service = service_for(memory_store)
    with pytest.raises(InvalidInputError):
        service.import_connections({"ok": {"conn_type": "http"}, "bad id": {"conn_type": "http"}})
    assert service.list_connections().total == 0


# -- listing and entries for the API and the UI ------------------------------------------------------


def test_list_and_entries_come_from_the_database_only(store):
    env = EnvironmentBackend({"AIRFLOW_VAR_FROM_ENV": "e", "AIRFLOW_CONN_ENVCONN": "http://h"})
    service = service_for(store, backends=[env])
    service.chain.backends = (env, service.metastore)
    service.set_variable("b_key", "2", "second")
    service.set_variable("a_key", "1")
    assert service.get_variable("from_env") == "e"
    page = service.list_variables(limit=1)
    assert page.total == 2 and [e.key for e in page.items] == ["a_key"]
    assert [e.key for e in service.list_variables(key_like="b%").items] == ["b_key"]
    assert service.variable_entry("b_key").description == "second"
    with pytest.raises(NotFoundError):
        service.variable_entry("from_env")
    with pytest.raises(NotFoundError):
        service.connection_entry("envconn")


def test_connection_entries_mask_for_display(store):
    service = service_for(store)
    service.set_connection(
        {
            "conn_id": "api",
            "conn_type": "http",
            "login": "me",
            "password": "pw-12345",
            "extra": {"token": "t-999"},
        }
    )
    entry = service.connection_entry("api")
    assert entry.password == "pw-12345" and entry.fields()["extra"] == {"token": "t-999"}
    shown = entry.masked(SecretsMasker())
    assert shown.password == "***" and shown.extra == {"token": "***"}
    assert entry.masked_uri(SecretsMasker()) == "http://me:***@/?token=***"


# -- construction from settings ----------------------------------------------------------------------


def _settings(fernet_key, backends=("env", "metastore"), secret_key=None):
    return types.SimpleNamespace(
        core=types.SimpleNamespace(fernet_key=fernet_key),
        api=types.SimpleNamespace(secret_key=secret_key),
        secrets=types.SimpleNamespace(backends=backends),
    )


def test_from_settings_orders_backends_as_configured(memory_store):
    environ = {"AIRFLOW_VAR_X": "from-env"}
    service = SecretsService.from_settings(_settings(KEY), memory_store, environ)
    service.set_variable("x", "from-db")
    assert service.get_variable("x") == "from-env"
    service = SecretsService.from_settings(_settings(KEY, ("metastore", "env")), memory_store, environ)
    assert service.get_variable("x") == "from-db"
    service = SecretsService.from_settings(_settings(KEY, ("metastore",)), memory_store, environ)
    service.delete_variable("x")
    assert service.get_variable("x") is None


def test_from_settings_without_any_key_is_a_clear_error(memory_store):
    with pytest.raises(SecretsError, match="brisa fernet-key generate"):
        SecretsService.from_settings(_settings(None), memory_store, {})


def test_from_settings_rejects_unknown_backends(memory_store):
    with pytest.raises(ConfigError, match="vault"):
        SecretsService.from_settings(_settings(KEY, ("vault",)), memory_store, {})


def test_public_names_are_exported():
    from brisa.secrets import files, private, probes, rotation, service, views

    for module in (files, private, probes, rotation, service, views):
        assert module.__all__ and all(hasattr(module, name) for name in module.__all__)
