from datetime import UTC, datetime, timedelta

import pytest

from brisa.auth.sessions import (
    cookie_params,
    csrf_token,
    decode_session,
    encode_session,
    is_safe_method,
    new_session,
    request_is_https,
    sign_payload,
    unsign_payload,
    verify_csrf_token,
)
from brisa.errors import AuthError, ConfigError, PermissionDenied

SECRET = "k" * 40
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_session_round_trip():
    session = new_session(42, now=NOW)
    value = encode_session(session, secret=SECRET)
    assert decode_session(value, secret=SECRET, now=NOW + timedelta(hours=1)) == session


def test_each_login_gets_a_new_csrf_secret():
    assert new_session(1, now=NOW).csrf_secret != new_session(1, now=NOW).csrf_secret


def test_session_expires_after_max_age():
    value = encode_session(new_session("u1", now=NOW), secret=SECRET)
    decode_session(value, secret=SECRET, now=NOW + timedelta(minutes=59), max_age=timedelta(hours=1))
    with pytest.raises(AuthError, match="expired"):
        decode_session(value, secret=SECRET, now=NOW + timedelta(hours=1), max_age=timedelta(hours=1))


def test_altered_or_foreign_cookie_is_refused():
    value = encode_session(new_session(1, now=NOW), secret=SECRET)
    body, mac = value.split(".")
    with pytest.raises(AuthError, match="altered"):
        decode_session(f"{body}x.{mac}", secret=SECRET, now=NOW)
    with pytest.raises(AuthError, match="altered"):
        decode_session(value, secret="z" * 40, now=NOW)
    with pytest.raises(AuthError):
        decode_session("no-dot-at-all", secret=SECRET, now=NOW)
    with pytest.raises(AuthError):
        decode_session(f"{body}.é", secret=SECRET, now=NOW)


def test_a_value_signed_for_another_purpose_is_not_a_session():
    value = sign_payload({"uid": 1, "iat": 0, "csrf": "x"}, secret=SECRET, purpose="brisa.log-token")
    with pytest.raises(AuthError, match="another purpose"):
        decode_session(value, secret=SECRET, now=NOW)
    assert unsign_payload(value, secret=SECRET, purpose="brisa.log-token") == {
        "uid": 1,
        "iat": 0,
        "csrf": "x",
    }


def test_a_signed_value_missing_session_fields_is_malformed():
    value = sign_payload({"uid": 1}, secret=SECRET, purpose="brisa.session")
    with pytest.raises(AuthError, match="malformed"):
        decode_session(value, secret=SECRET, now=NOW)


def test_short_secret_is_a_configuration_error():
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        encode_session(new_session(1, now=NOW), secret="short")


def test_cookie_is_httponly_lax_and_secure_only_over_https():
    assert cookie_params(True) == {
        "max_age": 86400,
        "path": "/",
        "secure": True,
        "httponly": True,
        "samesite": "lax",
    }
    assert cookie_params(False, max_age=timedelta(minutes=30))["secure"] is False
    assert cookie_params(False, max_age=timedelta(minutes=30))["max_age"] == 1800


@pytest.mark.parametrize(
    ("scheme", "forwarded", "https"),
    [
        ("https", None, True),
        ("http", "https", True),
        ("http", "HTTPS", True),
        ("http", "https, http", True),
        ("http", "http", False),
        ("http", None, False),
        ("http", "", False),
    ],
)
def test_https_is_seen_directly_or_through_the_proxy_header(scheme, forwarded, https):
    assert request_is_https(scheme, forwarded) is https


def test_csrf_token_verifies_for_its_session_and_changes_every_page():
    session = new_session(7, now=NOW)
    first, second = csrf_token(session), csrf_token(session)
    assert first != second
    verify_csrf_token(session, first)
    verify_csrf_token(session, second)
    assert session.csrf_secret not in first


@pytest.mark.parametrize("token", [None, "", "nonce-only", ".mac-only", "a.b", "é.é"])
def test_missing_or_garbage_csrf_token_is_denied(token):
    with pytest.raises(PermissionDenied, match="CSRF"):
        verify_csrf_token(new_session(7, now=NOW), token)


def test_csrf_token_of_another_session_is_denied():
    theirs = csrf_token(new_session(8, now=NOW))
    with pytest.raises(PermissionDenied):
        verify_csrf_token(new_session(7, now=NOW), theirs)


def test_only_unsafe_methods_need_csrf():
    assert is_safe_method("get") and is_safe_method("HEAD") and is_safe_method("OPTIONS")
    assert not is_safe_method("POST") and not is_safe_method("delete")
