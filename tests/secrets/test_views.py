import json

from brisa.secrets.masking import SecretsMasker
from brisa.secrets.views import (
    ConnectionEntry,
    VariableEntry,
    mask_connection,
    mask_variable_value,
    masked_connection_uri,
)


def entry(key, value, error=None):
    return VariableEntry(key, value, None, True, error)


def test_a_sensitive_key_hides_the_whole_value():
    assert entry("db_password", "hunter22").masked(SecretsMasker()).value == "***"


def test_configured_sensitive_names_are_honoured():
    masker = SecretsMasker(extra_sensitive_names=["pin"])
    assert mask_variable_value("office_pin", "4711", masker) == "***"


def test_json_values_are_redacted_key_by_key():
    value = json.dumps({"user": "me", "password": "p4ssw0rd", "nested": [{"api_key": "k"}]})
    shown = json.loads(mask_variable_value("settings", value, SecretsMasker()))
    assert shown == {"user": "me", "password": "***", "nested": [{"api_key": "***"}]}


def test_plain_values_only_lose_registered_secrets():
    masker = SecretsMasker()
    masker.add("registered-secret")
    assert mask_variable_value("note", "has registered-secret in it", masker) == "has *** in it"
    assert mask_variable_value("count", "42", masker) == "42"


def test_an_unreadable_entry_stays_as_it_is():
    unreadable = entry("x", None, error="cannot decrypt")
    assert unreadable.masked(SecretsMasker()) is unreadable


def test_hiding_by_name_can_be_switched_off():
    masker = SecretsMasker(hide_sensitive_names=False)
    assert mask_variable_value("db_password", "hunter22", masker) == "hunter22"


CONN = {
    "conn_id": "api",
    "description": None,
    "conn_type": "http",
    "host": "api.example.com",
    "schema": None,
    "login": "me@example.com",
    "password": "p@ss/w:rd",
    "port": 8443,
    "extra": {"api_key": "k-123456", "region": "eu"},
}


def test_connection_password_and_secret_extras_are_masked_not_the_rest():
    shown = mask_connection(CONN, SecretsMasker())
    assert shown["password"] == "***"
    assert shown["extra"] == {"api_key": "***", "region": "eu"}
    assert shown["login"] == "me@example.com"
    assert CONN["password"] == "p@ss/w:rd"  # the original is untouched


def test_masked_uri_shows_stars_where_secrets_were():
    uri = masked_connection_uri(CONN, SecretsMasker())
    assert uri == "http://me%40example.com:***@api.example.com:8443/?api_key=***&region=eu"


def test_masked_uri_of_a_json_extra_and_no_password():
    conn = {**CONN, "password": None, "extra": {"token": "t-1234567", "n": 1}}
    uri = masked_connection_uri(conn, SecretsMasker())
    assert "t-1234567" not in uri and "***" in uri and ":***@" not in uri


def test_connection_entry_masked_copy():
    full = ConnectionEntry(
        **{k: v for k, v in CONN.items() if k != "description"},
        description=None,
        is_encrypted=True,
        is_extra_encrypted=True,
    )
    shown = full.masked(SecretsMasker())
    assert (shown.password, shown.extra["api_key"]) == ("***", "***")
    assert full.uri.startswith("http://me%40example.com:p%40ss%2Fw%3Ard@")
