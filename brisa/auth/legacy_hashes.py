"""Password hashes that Airflow stored, accepted once so imported users keep their password.

``brisa db import-airflow`` copies users with the hash their Airflow kept:

- Flask-AppBuilder (Airflow 1.10 with RBAC, 2.x, 3.x with the FAB auth manager) stores
  werkzeug hashes: ``pbkdf2:sha256:260000$salt$hex`` or ``scrypt:32768:8:1$salt$hex``
  (older werkzeug wrote ``pbkdf2:sha256$salt$hex``, at 150000 or 50000 iterations by
  version: the iteration count is in the string when it is not the default of its day);
- Airflow 1.10's ``password_auth`` backend stores flask_bcrypt hashes (``$2b$12$...``).

:func:`verify_legacy` checks a password against one of them. The login that succeeds
replaces the hash by an argon2 one (``needs_rehash`` is True for anything not argon2), so
a legacy hash lives until its user's first login. Anything unrecognised fails closed.
"""

from __future__ import annotations

import hashlib
import hmac

LEGACY_PREFIXES = ("pbkdf2:", "scrypt:", "$2a$", "$2b$", "$2y$")
WERKZEUG_OLD_PBKDF2_ITERATIONS = 150000
"""Werkzeug before 2.3 wrote ``pbkdf2:sha256`` without a count and meant this many."""
_SCRYPT_MAX_N = 1 << 20


def is_legacy_hash(stored_hash: str) -> bool:
    return stored_hash.startswith(LEGACY_PREFIXES)


def verify_legacy(password: str, stored_hash: str) -> bool:
    """True if ``password`` matches a werkzeug or bcrypt ``stored_hash``; malformed -> False."""
    try:
        if stored_hash.startswith("$2"):
            return _verify_bcrypt(password, stored_hash)
        return _verify_werkzeug(password, stored_hash)
    except (ValueError, TypeError, OverflowError, MemoryError):
        return False


def _verify_bcrypt(password: str, stored_hash: str) -> bool:
    import bcrypt

    # $2y$ (PHP's name) and $2a$ are the same algorithm as $2b$ for passwords under 72 bytes.
    normalised = "$2b$" + stored_hash[4:]
    return bcrypt.checkpw(password.encode("utf-8"), normalised.encode("ascii"))


def _verify_werkzeug(password: str, stored_hash: str) -> bool:
    method, salt, expected = stored_hash.split("$", 2)
    actual = _werkzeug_digest(method, salt, password)
    return hmac.compare_digest(actual, expected)


def _werkzeug_digest(method: str, salt: str, password: str) -> str:
    name, *args = method.split(":")
    secret, salt_bytes = password.encode("utf-8"), salt.encode("utf-8")
    if name == "pbkdf2":
        digest = args[0] if args else "sha256"
        rounds = int(args[1]) if len(args) > 1 else WERKZEUG_OLD_PBKDF2_ITERATIONS
        return hashlib.pbkdf2_hmac(digest, secret, salt_bytes, rounds).hex()
    if name == "scrypt":
        n, r, p = (int(a) for a in args) if args else (1 << 15, 8, 1)
        if n > _SCRYPT_MAX_N:
            raise ValueError("scrypt cost out of range")
        return hashlib.scrypt(secret, salt=salt_bytes, n=n, r=r, p=p, maxmem=132 * n * r * p, dklen=64).hex()
    raise ValueError(f"unknown werkzeug hash method {name!r}")


__all__ = ["LEGACY_PREFIXES", "is_legacy_hash", "verify_legacy"]
