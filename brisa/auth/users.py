"""What a valid user looks like before it is stored, and the standalone admin.

:class:`UserSpec` validates on construction, so holding one means it is valid. All the
problems are reported at once, in one :class:`InvalidInputError`, so a form or the
``brisa users create`` command can show them together.

Usernames compare case-insensitively (FAB's default, ``AUTH_USERNAME_CI``): the store
should keep :func:`username_key` unique.
"""

from __future__ import annotations

import re
import secrets as _random
from dataclasses import dataclass, field

from brisa.auth.roles import Role
from brisa.errors import InvalidInputError

USERNAME_MAX_LENGTH = 64
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 1024
"""Long enough for any passphrase, short enough that hashing cannot be made slow."""
EMAIL_MAX_LENGTH = 254
GENERATED_PASSWORD_LENGTH = 16
# No look-alikes (0/O, 1/l/I) so a password read off a terminal can be typed back.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: Role
    password: str = field(repr=False)
    email: str | None = None
    first_name: str = ""
    last_name: str = ""

    def __post_init__(self) -> None:
        problems = list(_username_problems(self.username))
        problems += _email_problems(self.email)
        try:
            object.__setattr__(self, "role", Role.parse(self.role))
        except InvalidInputError as exc:
            problems.append(str(exc))
        problems += password_problems(self.password, username=self.username)
        if problems:
            raise InvalidInputError("invalid user: " + "; ".join(problems))


def password_problems(password: str, *, username: str = "") -> list[str]:
    """What is wrong with ``password`` under the policy; empty when it is acceptable."""
    if not isinstance(password, str):
        return ["password must be a string"]
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"password must be at least {PASSWORD_MIN_LENGTH} characters long")
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(f"password must be at most {PASSWORD_MAX_LENGTH} characters long")
    if username and password.casefold() == username.casefold():
        problems.append("password must not be the username")
    return problems


def check_password(password: str, *, username: str = "") -> None:
    """For a password change: raise :class:`InvalidInputError` if the policy refuses it."""
    problems = password_problems(password, username=username)
    if problems:
        raise InvalidInputError("invalid password: " + "; ".join(problems))


def username_key(username: str) -> str:
    """The form two usernames are compared in (``Admin`` and ``admin`` are one user)."""
    return username.casefold()


def generate_password(length: int = GENERATED_PASSWORD_LENGTH) -> str:
    if length < PASSWORD_MIN_LENGTH:
        raise InvalidInputError(f"a generated password needs at least {PASSWORD_MIN_LENGTH} characters")
    return "".join(_random.choice(PASSWORD_ALPHABET) for _ in range(length))


def standalone_admin(username: str = "admin") -> UserSpec:
    """The Admin user ``brisa standalone`` creates, with a fresh random password.

    As in ``airflow standalone``, the caller prints the password once and stores only
    its hash.
    """
    return UserSpec(username=username, role=Role.ADMIN, password=generate_password())


def _username_problems(username: str) -> list[str]:
    if not isinstance(username, str) or not username:
        return ["username must not be empty"]
    problems = []
    if len(username) > USERNAME_MAX_LENGTH:
        problems.append(f"username must be at most {USERNAME_MAX_LENGTH} characters long")
    if not _USERNAME.fullmatch(username):
        problems.append(
            "username may contain only letters, digits and . _ @ -, and must start with a letter or digit"
        )
    return problems


def _email_problems(email: str | None) -> list[str]:
    if email is None:
        return []
    if not isinstance(email, str) or len(email) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(email):
        return [f"email {email!r} is not a valid address (expected name@example.com)"]
    return []


__all__ = [
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MIN_LENGTH",
    "USERNAME_MAX_LENGTH",
    "UserSpec",
    "check_password",
    "generate_password",
    "password_problems",
    "standalone_admin",
    "username_key",
]
