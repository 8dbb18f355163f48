import argon2
import pytest
from argon2 import PasswordHasher, Type

from brisa.auth.passwords import dummy_hash, hash_password, make_hasher, needs_rehash, verify_password
from brisa.errors import InvalidInputError


@pytest.fixture
def hasher() -> PasswordHasher:
    # Cheap parameters keep the suite fast; the behaviour does not depend on them.
    return make_hasher(time_cost=1, memory_cost_kib=8, parallelism=1)


class SpyHasher(PasswordHasher):
    """Records the hashes it is asked to verify against."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
        self.verified: list[str] = []

    def verify(self, stored, password):
        self.verified.append(stored)
        return super().verify(stored, password)


def test_default_hasher_is_argon2id():
    hasher = make_hasher()
    assert hasher.type is Type.ID
    assert hasher.memory_cost == 65536 and hasher.time_cost == 3


def test_hash_is_an_argon2id_phc_string_that_verifies(hasher):
    stored = hash_password("correct horse", hasher=hasher)
    assert stored.startswith("$argon2id$v=19$")
    assert verify_password("correct horse", stored, hasher=hasher) is True
    assert verify_password("wrong horse", stored, hasher=hasher) is False


def test_hashes_are_salted(hasher):
    assert hash_password("same", hasher=hasher) != hash_password("same", hasher=hasher)


def test_empty_password_cannot_be_hashed(hasher):
    with pytest.raises(InvalidInputError, match="non-empty"):
        hash_password("", hasher=hasher)


def test_unknown_user_still_runs_a_verification_with_the_real_parameters():
    spy = SpyHasher()
    real = hash_password("pw-of-someone", hasher=spy)

    assert verify_password("guess", None, hasher=spy) is False

    [checked] = spy.verified
    assert argon2.extract_parameters(checked) == argon2.extract_parameters(real)


def test_no_password_matches_the_dummy_hash(hasher):
    dummy = dummy_hash(hasher)
    assert argon2.extract_parameters(dummy) == argon2.extract_parameters(hash_password("x", hasher=hasher))
    with pytest.raises(argon2.exceptions.VerifyMismatchError):
        hasher.verify(dummy, "")
    assert dummy != dummy_hash(hasher)


def test_a_malformed_stored_hash_fails_closed(hasher):
    assert verify_password("anything", "not-a-hash", hasher=hasher) is False
    assert verify_password("anything", "", hasher=hasher) is False


def test_needs_rehash_when_parameters_change(hasher):
    stored = hash_password("pw", hasher=hasher)
    assert needs_rehash(stored, hasher=hasher) is False
    assert needs_rehash(stored, hasher=make_hasher(time_cost=2, memory_cost_kib=8, parallelism=1)) is True
    assert needs_rehash("garbage", hasher=hasher) is True
