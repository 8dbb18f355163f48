import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from brisa.auth.roles import Role
from brisa.auth.tokens import DEFAULT_TTL, issue_token, verify_token
from brisa.errors import AuthError, ConfigError, InvalidInputError

SECRET = "s" * 32
NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def issue(**overrides):
    args = {"secret": SECRET, "ttl": timedelta(hours=1), "now": NOW} | overrides
    return issue_token("alice", Role.OP, **args)


def test_round_trip_gives_back_who_and_when():
    claims = verify_token(issue(), secret=SECRET, now=NOW + timedelta(minutes=5))
    assert claims.username == "alice"
    assert claims.role is Role.OP
    assert claims.issued_at == NOW
    assert claims.expires_at == NOW + timedelta(hours=1)
    assert claims.token_id


def test_claims_follow_airflow_sub_and_role():
    payload = jwt.decode(issue(), SECRET, algorithms=["HS256"], options={"verify_signature": False})
    assert payload["sub"] == "alice"
    assert payload["role"] == "Op"
    assert payload["exp"] - payload["iat"] == 3600


def test_each_token_has_its_own_id():
    assert (
        verify_token(issue(), secret=SECRET, now=NOW).token_id
        != verify_token(issue(), secret=SECRET, now=NOW).token_id
    )


def test_default_lifetime_is_airflows_24_hours():
    claims = verify_token(issue_token("a", "Viewer", secret=SECRET, now=NOW), secret=SECRET, now=NOW)
    assert claims.expires_at - claims.issued_at == DEFAULT_TTL == timedelta(hours=24)


def test_token_expires_exactly_at_exp():
    token = issue()
    verify_token(token, secret=SECRET, now=NOW + timedelta(minutes=59, seconds=59))
    with pytest.raises(AuthError, match="expired at 2025-03-01T13:00:00"):
        verify_token(token, secret=SECRET, now=NOW + timedelta(hours=1))


def test_token_from_the_future_is_not_valid_yet():
    with pytest.raises(AuthError, match="not valid yet"):
        verify_token(issue(), secret=SECRET, now=NOW - timedelta(seconds=30))


def test_token_signed_with_another_secret_is_forged():
    with pytest.raises(AuthError, match="signature is invalid"):
        verify_token(issue(secret="o" * 32), secret=SECRET, now=NOW)


def test_altered_payload_breaks_the_signature():
    header, payload, signature = issue().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "Admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(AuthError, match="signature is invalid"):
        verify_token(f"{header}.{forged}.{signature}", secret=SECRET, now=NOW)


def test_unsigned_token_is_refused():
    claims = {"sub": "eve", "role": "Admin", "iat": 0, "nbf": 0, "exp": 2**40, "jti": "x", "aud": "brisa"}
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(AuthError, match="HS256"):
        verify_token(unsigned, secret=SECRET, now=NOW)


def test_missing_role_claim_is_named():
    ts = int(NOW.timestamp())
    claims = {"sub": "bob", "iat": ts, "nbf": ts, "exp": ts + 60, "jti": "x", "aud": "brisa"}
    with pytest.raises(AuthError, match="lacks the 'role' claim"):
        verify_token(jwt.encode(claims, SECRET, algorithm="HS256"), secret=SECRET, now=NOW)


def test_unknown_role_in_token_is_refused():
    ts = int(NOW.timestamp())
    claims = {"sub": "bob", "role": "God", "iat": ts, "nbf": ts, "exp": ts + 60, "jti": "x", "aud": "brisa"}
    with pytest.raises(AuthError, match="unknown role 'God'"):
        verify_token(jwt.encode(claims, SECRET, algorithm="HS256"), secret=SECRET, now=NOW)


def test_token_for_another_audience_is_refused():
    with pytest.raises(AuthError, match="another audience"):
        verify_token(issue(audience="other-app"), secret=SECRET, now=NOW)


def test_garbage_is_malformed():
    with pytest.raises(AuthError, match="malformed"):
        verify_token("not.a.jwt", secret=SECRET, now=NOW)


def test_short_secret_is_a_configuration_error():
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        issue(secret="short")
    with pytest.raises(ConfigError):
        verify_token("x", secret="short", now=NOW)


def test_clock_must_be_aware_and_lifetime_positive():
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        issue(now=datetime(2025, 1, 1))
    with pytest.raises(InvalidInputError, match="positive"):
        issue(ttl=timedelta(0))
    with pytest.raises(InvalidInputError, match="username"):
        issue_token("", Role.USER, secret=SECRET, now=NOW)
