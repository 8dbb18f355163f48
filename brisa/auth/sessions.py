"""Signed session cookies for the UI, and CSRF tokens bound to the session.

The cookie value is ``<payload>.<mac>``: URL-safe base64 of a small JSON object and
an HMAC-SHA256 over it, keyed by the server secret and a *purpose* string, so a value
signed for one use (a session) is never accepted for another (a log continuation
token, a file token) even though they share the secret. Nothing in the cookie is
secret from its holder; it only cannot be altered.

A session is also a row on the server, named by the random ``session_id`` in the cookie
(see brisa.store.repos.logins): logging out, resetting the password or deleting the
user deletes the row, and the cookie, however well signed, no longer works.

CSRF uses the synchronizer pattern bound to the session: each session carries a
random ``csrf_secret``; a page embeds ``csrf_token(session)`` (a fresh nonce plus an
HMAC of it under that secret, so the token differs on every page and does not leak
the secret), and an unsafe request must send it back in a form field or header.
All comparisons are constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets as _random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from brisa.errors import AuthError, ConfigError, InvalidInputError, PermissionDenied

SESSION_COOKIE_NAME = "brisa_session"
CSRF_FORM_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_PURPOSE = "brisa.session"
DEFAULT_SESSION_MAX_AGE = timedelta(hours=24)
MIN_SECRET_BYTES = 32
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass(frozen=True)
class SessionData:
    user_id: int | str
    issued_at: datetime
    csrf_secret: str
    session_id: str
    """Random; names the session's row on the server."""


def new_session(user_id: int | str, *, now: datetime) -> SessionData:
    """A session for a user who has just logged in; rotate it at every login."""
    return SessionData(
        user_id=user_id,
        issued_at=_aware(now),
        csrf_secret=_random.token_urlsafe(32),
        session_id=_random.token_urlsafe(32),
    )


def encode_session(session: SessionData, *, secret: str | bytes) -> str:
    payload = {
        "uid": session.user_id,
        "iat": int(session.issued_at.timestamp()),
        "csrf": session.csrf_secret,
        "sid": session.session_id,
    }
    return sign_payload(payload, secret=secret, purpose=SESSION_PURPOSE)


def decode_session(
    value: str, *, secret: str | bytes, now: datetime, max_age: timedelta = DEFAULT_SESSION_MAX_AGE
) -> SessionData:
    """The session in a cookie value, or :class:`AuthError` if altered, malformed or too old."""
    payload = unsign_payload(value, secret=secret, purpose=SESSION_PURPOSE)
    try:
        issued_at = datetime.fromtimestamp(int(payload["iat"]), tz=UTC)
        session = SessionData(
            user_id=payload["uid"],
            issued_at=issued_at,
            csrf_secret=str(payload["csrf"]),
            session_id=_session_id(payload["sid"]),
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        raise AuthError("session cookie is malformed") from None
    if _aware(now) >= session.issued_at + max_age:
        raise AuthError("session has expired; log in again")
    return session


def _session_id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("no session id")
    return value


def cookie_params(
    secure: bool, *, max_age: timedelta = DEFAULT_SESSION_MAX_AGE, path: str = "/"
) -> dict[str, Any]:
    """Keyword arguments for Starlette's ``Response.set_cookie`` (and ``delete_cookie``).

    HttpOnly keeps scripts from reading the cookie; SameSite=Lax keeps it off
    cross-site POSTs (a first CSRF defence); Secure is set whenever the browser
    reached us over HTTPS, see :func:`request_is_https`.
    """
    return {
        "max_age": int(max_age.total_seconds()),
        "path": path,
        "secure": secure,
        "httponly": True,
        "samesite": "lax",
    }


def request_is_https(scheme: str, forwarded_proto: str | None = None) -> bool:
    """True if the request came over HTTPS, directly or through a TLS-ending proxy.

    Trusting ``X-Forwarded-Proto`` here is harmless: a spoofed ``https`` only makes
    the cookie Secure, which at worst stops it being sent over plain HTTP.
    """
    first_hop = (forwarded_proto or "").split(",")[0].strip().lower()
    return scheme.lower() == "https" or first_hop == "https"


def csrf_token(session: SessionData, *, nonce: str | None = None) -> str:
    """A token for one page; any token made for this session verifies."""
    nonce = nonce or _random.token_urlsafe(16)
    return f"{nonce}.{_b64(_mac(session.csrf_secret.encode('utf-8'), nonce.encode('utf-8')))}"


def verify_csrf_token(session: SessionData, token: str | None) -> None:
    """Raise :class:`PermissionDenied` unless ``token`` was made by :func:`csrf_token` for this session."""
    nonce, _, mac = (token or "").partition(".")
    expected = csrf_token(session, nonce=nonce) if nonce else ""
    if not nonce or not mac or not _same(expected, token or ""):
        raise PermissionDenied("CSRF token is missing or invalid; reload the page and try again")


def is_safe_method(method: str) -> bool:
    """Safe methods change nothing and need no CSRF token."""
    return method.upper() in SAFE_METHODS


def sign_payload(payload: dict[str, Any], *, secret: str | bytes, purpose: str) -> str:
    """``payload`` as a tamper-proof string, valid only for ``purpose``."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{body}.{_b64(_mac(_key(secret), _signed_part(purpose, body)))}"


def unsign_payload(value: str, *, secret: str | bytes, purpose: str) -> dict[str, Any]:
    body, _, mac = (value or "").partition(".")
    expected = _b64(_mac(_key(secret), _signed_part(purpose, body)))
    if not body or not _same(expected, mac):
        raise AuthError("signed value was altered or signed for another purpose")
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        raise AuthError("signed value is malformed") from None
    if not isinstance(payload, dict):
        raise AuthError("signed value is malformed")
    return payload


def _same(expected: str, given: str) -> bool:
    # Bytes, not str: compare_digest refuses non-ASCII text, which a client may send.
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def _signed_part(purpose: str, body: str) -> bytes:
    return f"{purpose}.{body}".encode()


def _mac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _key(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if len(key) < MIN_SECRET_BYTES:
        raise ConfigError(f"the session secret must be at least {MIN_SECRET_BYTES} bytes long")
    return key


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise InvalidInputError("now must be a timezone-aware datetime")
    return now


__all__ = [
    "CSRF_FORM_FIELD",
    "CSRF_HEADER",
    "DEFAULT_SESSION_MAX_AGE",
    "SAFE_METHODS",
    "SESSION_COOKIE_NAME",
    "SESSION_PURPOSE",
    "SessionData",
    "cookie_params",
    "csrf_token",
    "decode_session",
    "encode_session",
    "is_safe_method",
    "new_session",
    "request_is_https",
    "sign_payload",
    "unsign_payload",
    "verify_csrf_token",
]
