"""Key rotation: everything readable with the new key alone; a wrong key changes nothing."""

import pytest
import sqlalchemy as sa

from brisa.errors import SecretsError
from brisa.secrets.fernet import FernetCodec, generate_key
from brisa.secrets.service import SecretsService
from brisa.store import schema

OLD = generate_key()
NEW = generate_key()
STRANGER = generate_key()


def service_for(store, *keys):
    service = SecretsService(store, FernetCodec(list(keys)), [])
    service.chain.backends = (service.metastore,)
    return service


def snapshot(store):
    with store.engine.connect() as conn:
        variables = [dict(r._mapping) for r in conn.execute(sa.select(schema.variable).order_by("key"))]
        conns = [dict(r._mapping) for r in conn.execute(sa.select(schema.connection).order_by("conn_id"))]
    return variables, conns


def fill(store):
    old = service_for(store, OLD)
    old.set_variable("api_token", "token-value-1")
    old.set_variable("plain", "just text", "with a description")
    old.set_connection(
        {"conn_id": "db", "conn_type": "postgres", "password": "pw-value-2", "extra": {"a": "b"}}
    )
    old.set_connection({"conn_id": "nopass", "conn_type": "http", "host": "h"})
    with store.transaction() as tx:
        tx.variables.put("legacy", "stored-in-clear", description=None, is_encrypted=False)


def test_rotation_leaves_everything_readable_with_the_new_key_alone(store):
    fill(store)
    report = service_for(store, NEW, OLD).rotate()
    assert (report.variables, report.connections, report.were_plaintext) == (3, 1, 1)
    new_only = service_for(store, NEW)
    assert new_only.get_variable("api_token") == "token-value-1"
    assert new_only.get_variable("legacy") == "stored-in-clear"
    assert new_only.variable_entry("plain").description == "with a description"
    conn = new_only.get_connection("db")
    assert (conn["password"], conn["extra"]) == ("pw-value-2", {"a": "b"})
    assert new_only.get_connection("nopass")["host"] == "h"
    assert new_only.check_key() == 2
    with pytest.raises(SecretsError):
        service_for(store, OLD).get_variable("api_token")


def test_rotation_encrypts_values_that_were_stored_in_clear(store):
    fill(store)
    service_for(store, NEW, OLD).rotate()
    variables, _ = snapshot(store)
    assert all(row["is_encrypted"] for row in variables)
    assert "stored-in-clear" not in repr(variables)


def test_rotation_with_a_wrong_key_changes_nothing_and_names_what_failed(store):
    fill(store)
    before = snapshot(store)
    with pytest.raises(SecretsError) as info:
        service_for(store, NEW, STRANGER).rotate()
    message = str(info.value)
    assert "variable 'api_token'" in message
    assert "connection 'db' (password)" in message and "connection 'db' (extra)" in message
    assert "nothing was changed" in message
    assert snapshot(store) == before


def test_rotation_fails_whole_when_only_the_last_table_is_unreadable(store):
    service_for(store, NEW).set_variable("fine", "v")
    service_for(store, STRANGER).set_connection({"conn_id": "c", "conn_type": "http", "password": "pw-123"})
    before = snapshot(store)
    with pytest.raises(SecretsError, match="connection 'c'"):
        service_for(store, NEW).rotate()
    assert snapshot(store) == before


def test_rotating_twice_is_harmless(memory_store):
    fill(memory_store)
    service = service_for(memory_store, NEW, OLD)
    service.rotate()
    report = service.rotate()
    assert report.were_plaintext == 0
    assert service_for(memory_store, NEW).get_variable("legacy") == "stored-in-clear"


def test_an_empty_database_rotates_nothing(memory_store):
    report = service_for(memory_store, NEW).rotate()
    assert (report.variables, report.connections, report.were_plaintext) == (0, 0, 0)


def test_many_failures_are_counted_not_all_listed(memory_store):
    stranger = service_for(memory_store, STRANGER)
    for i in range(12):
        stranger.set_variable(f"v{i:02}", "x")
    with pytest.raises(SecretsError) as info:
        service_for(memory_store, NEW).rotate()
    assert "12 stored value(s)" in str(info.value) and "and 2 more" in str(info.value)


def test_trigger_kwargs_are_sealed_at_rest_and_readable_after_a_rotation(store):
    from datetime import UTC, datetime

    store.cipher = FernetCodec([OLD])
    with store.transaction() as tx:
        trigger_id = tx.triggers.create("m.T", '{"token":"tok-secret-3"}', now=datetime.now(UTC))
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(schema.trigger.c.kwargs)).scalar_one()
    assert "tok-secret-3" not in stored
    report = service_for(store, NEW, OLD).rotate()
    assert report.triggers == 1
    store.cipher = FernetCodec([NEW])
    with store.transaction(readonly=True) as tx:
        (row,) = tx.triggers.get_many([trigger_id])
    assert row.kwargs == '{"token":"tok-secret-3"}'
