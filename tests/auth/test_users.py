import pytest

from brisa.auth.roles import Role
from brisa.auth.users import (
    PASSWORD_ALPHABET,
    UserSpec,
    check_password,
    generate_password,
    password_problems,
    standalone_admin,
    username_key,
)
from brisa.errors import InvalidInputError


def spec(**overrides):
    fields = {"username": "alice", "role": "User", "password": "s3cret-pass", "email": "alice@example.com"}
    return UserSpec(**(fields | overrides))


def test_valid_spec_coerces_the_role():
    assert spec(role="op").role is Role.OP
    assert spec(role=Role.ADMIN).role is Role.ADMIN


def test_all_problems_are_reported_at_once():
    with pytest.raises(InvalidInputError) as caught:
        spec(username="-bad name", role="Public", password="short", email="nope")
    message = str(caught.value)
    assert message.startswith("invalid user: ")
    for part in (
        "username may contain only",
        "email 'nope'",
        "unknown role 'Public'",
        "at least 8 characters",
    ):
        assert part in message


@pytest.mark.parametrize("username", ["a", "alice.smith", "bob_2", "carol@corp", "d-e", "X" * 64])
def test_accepted_usernames(username):
    assert spec(username=username).username == username


@pytest.mark.parametrize(
    ("username", "problem"),
    [
        ("", "must not be empty"),
        ("_alice", "must start with a letter or digit"),
        ("al ice", "may contain only"),
        ("alice/evil", "may contain only"),
        ("x" * 65, "at most 64"),
    ],
)
def test_refused_usernames(username, problem):
    with pytest.raises(InvalidInputError, match=problem):
        spec(username=username)


def test_email_is_optional_but_must_look_like_an_address():
    assert spec(email=None).email is None
    for bad in ("alice", "alice@", "@example.com", "a b@example.com", "alice@localhost"):
        with pytest.raises(InvalidInputError, match="not a valid address"):
            spec(email=bad)


def test_password_policy():
    assert password_problems("long enough") == []
    assert password_problems("1234567") == ["password must be at least 8 characters long"]
    assert password_problems("x" * 1025) == ["password must be at most 1024 characters long"]
    assert password_problems("AliceSmith", username="alicesmith") == ["password must not be the username"]
    with pytest.raises(InvalidInputError, match="not be the username"):
        spec(username="longusername", password="LONGUSERNAME")


def test_check_password_for_a_password_change():
    check_password("a fine passphrase", username="alice")
    with pytest.raises(InvalidInputError, match="invalid password: password must be at least 8"):
        check_password("tiny")


def test_password_is_kept_out_of_repr():
    assert "s3cret-pass" not in repr(spec())


def test_generated_passwords_are_random_and_meet_the_policy():
    first, second = generate_password(), generate_password()
    assert first != second
    assert len(first) == 16
    assert set(first) <= set(PASSWORD_ALPHABET)
    assert password_problems(first) == []
    with pytest.raises(InvalidInputError):
        generate_password(4)


def test_standalone_admin_is_an_admin_with_a_fresh_password():
    admin = standalone_admin()
    assert admin.username == "admin" and admin.role is Role.ADMIN
    assert len(admin.password) == 16
    assert admin.password != standalone_admin().password


def test_usernames_compare_case_insensitively():
    assert username_key("Alice") == username_key("alice")
