"""Airflow's password hashes (werkzeug, bcrypt) accepted by verify_password, then re-hashed."""

from __future__ import annotations

import hashlib

import bcrypt
import pytest

from brisa.auth.legacy_hashes import is_legacy_hash, verify_legacy
from brisa.auth.passwords import make_hasher, needs_rehash, verify_password

FAST = make_hasher(time_cost=1, memory_cost_kib=8, parallelism=1)


def werkzeug_pbkdf2(password: str, salt: str = "abcdEFGH12345678", rounds: int | None = 600000) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), rounds or 150000).hex()
    method = f"pbkdf2:sha256:{rounds}" if rounds else "pbkdf2:sha256"
    return f"{method}${salt}${digest}"


def werkzeug_scrypt(password: str, salt: str = "saltsaltsaltsalt") -> str:
    n, r, p = 1 << 15, 8, 1
    raw = hashlib.scrypt(
        password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p, dklen=64
    )
    return f"scrypt:{n}:{r}:{p}${salt}${raw.hex()}"


LEGACY = {
    "pbkdf2": werkzeug_pbkdf2("s3cret-pass"),
    "pbkdf2-old-default": werkzeug_pbkdf2("s3cret-pass", rounds=None),
    "scrypt": werkzeug_scrypt("s3cret-pass"),
    "bcrypt-2b": bcrypt.hashpw(b"s3cret-pass", bcrypt.gensalt(rounds=4)).decode(),
    "bcrypt-2a": bcrypt.hashpw(b"s3cret-pass", bcrypt.gensalt(rounds=4, prefix=b"2a")).decode(),
}


@pytest.mark.parametrize("kind", sorted(LEGACY))
def test_legacy_hash_accepts_its_password_only(kind: str) -> None:
    stored = LEGACY[kind]
    assert is_legacy_hash(stored)
    assert verify_password("s3cret-pass", stored, hasher=FAST)
    assert not verify_password("wrong-pass", stored, hasher=FAST)
    assert needs_rehash(stored, hasher=FAST)


def test_werkzeug_hash_matches_airflow_fab_format() -> None:
    # A hash werkzeug 2.x wrote for FAB (generate_password_hash("admin", "pbkdf2:sha256")).
    stored = (
        "pbkdf2:sha256:260000$Zm9vYmFyYmF6$"
        + hashlib.pbkdf2_hmac("sha256", b"admin", b"Zm9vYmFyYmF6", 260000).hex()
    )
    assert verify_legacy("admin", stored)


@pytest.mark.parametrize(
    "stored",
    ["pbkdf2:sha256:1000$salt", "md5$salt$abc", "scrypt:99999999999:8:1$s$00", "$2b$12$tooshort", "plain"],
)
def test_malformed_legacy_hashes_fail_closed(stored: str) -> None:
    assert not verify_password("anything-at-all", stored, hasher=FAST)
