"""JWT bearer tokens for ``/api/v2`` (what ``POST /auth/token`` hands out).

HS256 with a secret the caller passes in. Claims follow Airflow's auth managers:
``sub`` is the username and ``role`` the role name, beside the registered ``iat``,
``nbf``, ``exp``, ``aud`` and a random ``jti`` (so the lead can revoke one token).
Brisa adds ``cid``, the user's credential id when the token was issued: the API accepts
the token only while the user's row still has it, so deleting the user (even if the
name is taken again) or resetting the password ends every token issued before.

PyJWT checks ``exp``/``nbf`` against the wall clock, so this module turns those checks
off and makes them itself against the ``now`` it is given: the clock is passed in.
"""

from __future__ import annotations

import secrets as _random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from brisa.auth.roles import Role
from brisa.errors import AuthError, ConfigError, InvalidInputError

ALGORITHM = "HS256"
DEFAULT_AUDIENCE = "brisa"
DEFAULT_TTL = timedelta(hours=24)
"""Airflow's ``[api_auth] jwt_expiration_time`` default (86400 s)."""
MIN_SECRET_BYTES = 32
"""RFC 7518 section 3.2: an HS256 key must be at least as long as the hash (256 bits)."""

_REQUIRED_CLAIMS = ("sub", "role", "iat", "nbf", "exp", "jti")


@dataclass(frozen=True)
class TokenClaims:
    username: str
    role: Role
    issued_at: datetime
    expires_at: datetime
    token_id: str
    credential_id: str = ""


def issue_token(
    username: str,
    role: Role | str,
    *,
    secret: str | bytes,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime,
    audience: str = DEFAULT_AUDIENCE,
    credential_id: str = "",
) -> str:
    _check_secret(secret)
    if not username:
        raise InvalidInputError("a token needs a username")
    if ttl <= timedelta(0):
        raise InvalidInputError(f"token lifetime must be positive, not {ttl}")
    issued = _whole_seconds(_aware(now))
    claims = {
        "sub": username,
        "role": Role.parse(role).value,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(ttl.total_seconds()),
        "aud": audience,
        "jti": _random.token_hex(16),
        "cid": credential_id,
    }
    return jwt.encode(claims, _as_bytes(secret), algorithm=ALGORITHM)


def verify_token(
    token: str, *, secret: str | bytes, now: datetime, audience: str = DEFAULT_AUDIENCE
) -> TokenClaims:
    """The token's claims, or :class:`AuthError` saying why it is not accepted."""
    _check_secret(secret)
    claims = _decode(token, secret, audience)
    at = _aware(now).timestamp()
    if at < claims["nbf"]:
        raise AuthError("token is not valid yet (nbf is in the future)")
    if at >= claims["exp"]:
        raise AuthError(f"token expired at {_from_timestamp(claims['exp']).isoformat()}")
    try:
        role = Role.parse(claims["role"])
    except InvalidInputError:
        raise AuthError(f"token names an unknown role {claims['role']!r}") from None
    return TokenClaims(
        username=str(claims["sub"]),
        role=role,
        issued_at=_from_timestamp(claims["iat"]),
        expires_at=_from_timestamp(claims["exp"]),
        token_id=str(claims["jti"]),
        credential_id=str(claims.get("cid") or ""),
    )


def _decode(token: str, secret: str | bytes, audience: str) -> dict[str, Any]:
    options: jwt.types.Options = {
        "verify_exp": False,
        "verify_nbf": False,
        "verify_iat": False,
        "require": list(_REQUIRED_CLAIMS),
    }
    try:
        # ``algorithms`` pinned: never let the token's header pick ``none`` or RS/HS confusion.
        return jwt.decode(
            token, _as_bytes(secret), algorithms=[ALGORITHM], audience=audience, options=options
        )
    except jwt.InvalidSignatureError:
        raise AuthError("token signature is invalid (forged, or signed with another secret)") from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"token lacks the {exc.claim!r} claim") from None
    except jwt.InvalidAudienceError:
        raise AuthError("token was issued for another audience") from None
    except jwt.InvalidAlgorithmError:
        raise AuthError(f"token is not signed with {ALGORITHM}") from None
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"token is malformed: {exc}") from None


def _check_secret(secret: str | bytes) -> None:
    if len(_as_bytes(secret)) < MIN_SECRET_BYTES:
        raise ConfigError(f"the token secret must be at least {MIN_SECRET_BYTES} bytes long")


def _as_bytes(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise InvalidInputError("now must be a timezone-aware datetime")
    return now


def _whole_seconds(now: datetime) -> int:
    return int(now.timestamp())


def _from_timestamp(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


__all__ = [
    "ALGORITHM",
    "DEFAULT_AUDIENCE",
    "DEFAULT_TTL",
    "MIN_SECRET_BYTES",
    "TokenClaims",
    "issue_token",
    "verify_token",
]
