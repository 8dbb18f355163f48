"""Password hashing with argon2id (argon2-cffi).

Hashes are PHC strings (``$argon2id$v=19$m=...,t=...,p=...$salt$hash``) that carry
their own parameters, so raising the cost later only needs :func:`needs_rehash` at
the next successful login.

Login must take as long for an unknown user as for a wrong password, or the response
time tells an attacker which usernames exist. ``verify_password(password, None)``
therefore checks the password against a dummy hash built with the same parameters as
real ones (random salt and digest): argon2 does the same memory-hard work and fails.
"""

from __future__ import annotations

import base64
import os

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from brisa.auth.legacy_hashes import is_legacy_hash, verify_legacy
from brisa.errors import InvalidInputError


def make_hasher(*, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 4) -> PasswordHasher:
    """An argon2id hasher; the defaults are argon2-cffi's (RFC 9106 low-memory profile)."""
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism, type=Type.ID
    )


def hash_password(password: str, *, hasher: PasswordHasher | None = None) -> str:
    if not isinstance(password, str) or not password:
        raise InvalidInputError("password must be a non-empty string")
    return (hasher or make_hasher()).hash(password)


def verify_password(password: str, stored_hash: str | None, *, hasher: PasswordHasher | None = None) -> bool:
    """True if ``password`` matches ``stored_hash``; ``None`` means "no such user".

    A malformed stored hash counts as a mismatch: a login must fail closed. A hash imported
    from Airflow (werkzeug or bcrypt, see :mod:`brisa.auth.legacy_hashes`) is checked as
    such; :func:`needs_rehash` is True for it, so the login replaces it by an argon2 hash.
    """
    if stored_hash is not None and is_legacy_hash(stored_hash):
        return verify_legacy(password, stored_hash)
    ph = hasher or make_hasher()
    candidate = stored_hash if stored_hash is not None else dummy_hash(ph)
    try:
        matched = ph.verify(candidate, password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and stored_hash is not None


def needs_rehash(stored_hash: str, *, hasher: PasswordHasher | None = None) -> bool:
    """True when ``stored_hash`` was made with other parameters than ``hasher``'s."""
    try:
        return (hasher or make_hasher()).check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return True


def dummy_hash(hasher: PasswordHasher) -> str:
    """A well-formed hash no password matches, costing what a real one costs to verify."""
    salt = _b64(os.urandom(hasher.salt_len))
    digest = _b64(os.urandom(hasher.hash_len))
    params = f"m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
    variant = f"argon2{hasher.type.name.lower()}"
    return f"${variant}$v=19${params}${salt}${digest}"


def _b64(raw: bytes) -> str:
    # PHC strings use standard base64 without padding.
    return base64.b64encode(raw).decode("ascii").rstrip("=")


__all__ = ["dummy_hash", "hash_password", "make_hasher", "needs_rehash", "verify_password"]
