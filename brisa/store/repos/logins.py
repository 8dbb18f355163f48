"""Server-side browser sessions and the login failure counts (see brisa.api.login).

A session row is keyed by the SHA-256 of the random id the cookie carries, so a copy of
the database does not hand out working cookies. Failure counts are keyed by
:func:`name_key` and :func:`address_key`; :meth:`LoginFailureRepo.lock` takes the row for
the rest of the transaction, so two logins at once cannot both read the same count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from brisa.store import schema as s
from brisa.store.repos.users import UserRecord, user_record

KEY_TEXT_LENGTH = 256
"""Longer names and addresses are counted under their digest (the key column is bounded),
as are names with NUL."""


def name_key(username: str) -> str:
    """Failures of a user name, known or not (``Admin`` and ``admin`` count together)."""
    return _key("name", username.casefold())


def address_key(address: str) -> str:
    return _key("addr", address)


def _key(kind: str, text: str) -> str:
    if len(text) <= KEY_TEXT_LENGTH and "\x00" not in text:  # PostgreSQL text cannot hold NUL
        return f"{kind}:{text}"
    return f"{kind}-sha256:{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}"


def session_row_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class SessionRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def add(self, session_id: str, *, user_id: int, now: datetime, expires_at: datetime) -> None:
        self.conn.execute(s.login_session.delete().where(s.login_session.c.expires_at <= now))
        self.conn.execute(
            s.login_session.insert().values(
                id=session_row_id(session_id), user_id=user_id, created_at=now, expires_at=expires_at
            )
        )

    def user(self, session_id: str, *, now: datetime) -> UserRecord | None:
        """The user of a live session, or None when it ended, expired or its user is gone."""
        joined = s.login_session.join(s.user, s.user.c.id == s.login_session.c.user_id)
        query = (
            sa.select(s.user)
            .select_from(joined)
            .where(s.login_session.c.id == session_row_id(session_id), s.login_session.c.expires_at > now)
        )
        row = self.conn.execute(query).first()
        return user_record(row) if row else None

    def end(self, session_id: str) -> None:
        self.conn.execute(s.login_session.delete().where(s.login_session.c.id == session_row_id(session_id)))

    def end_all(self, user_id: int) -> None:
        self.conn.execute(s.login_session.delete().where(s.login_session.c.user_id == user_id))

    def count(self, user_id: int) -> int:
        query = sa.select(sa.func.count()).where(s.login_session.c.user_id == user_id)
        return self.conn.execute(query).scalar_one()


@dataclass(frozen=True)
class FailureCount:
    key: str
    failures: int
    last_failure: datetime | None


class LoginFailureRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def lock(self, key: str) -> FailureCount:
        """The count for ``key``, its row held until the transaction ends (made if missing)."""
        self.conn.execute(self._insert_missing(key))
        table = s.login_failure
        query = sa.select(table.c.failures, table.c.last_failure).where(table.c.key == key).with_for_update()
        failures, last_failure = self.conn.execute(query).one()
        return FailureCount(key, failures, last_failure)

    def set(self, key: str, *, failures: int, last_failure: datetime) -> None:
        table = s.login_failure
        self.conn.execute(
            table.update().where(table.c.key == key).values(failures=failures, last_failure=last_failure)
        )

    def get(self, key: str) -> FailureCount:
        table = s.login_failure
        query = sa.select(table.c.failures, table.c.last_failure).where(table.c.key == key)
        row = self.conn.execute(query).first()
        return FailureCount(key, row[0], row[1]) if row else FailureCount(key, 0, None)

    def clear(self, key: str) -> None:
        self.conn.execute(s.login_failure.delete().where(s.login_failure.c.key == key))

    def forgive(self, key: str) -> None:
        """One failure fewer (an attempt counted in advance that succeeded)."""
        table = s.login_failure
        less = table.update().where(table.c.key == key, table.c.failures > 0)
        self.conn.execute(less.values(failures=table.c.failures - 1))

    def forget_before(self, cutoff: datetime) -> None:
        """Drop counts whose latest failure no longer matters to the policy.

        Rows a login holds right now are skipped (PostgreSQL), never waited for: waiting
        while holding others could deadlock with it.
        """
        table = s.login_failure
        old = sa.select(table.c.key).where(table.c.last_failure < cutoff).with_for_update(skip_locked=True)
        self.conn.execute(table.delete().where(table.c.key.in_(old.scalar_subquery())))

    def _insert_missing(self, key: str) -> sa.Executable:
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        return dialect.insert(s.login_failure).values(key=key, failures=0).on_conflict_do_nothing()


__all__ = [
    "KEY_TEXT_LENGTH",
    "FailureCount",
    "LoginFailureRepo",
    "SessionRepo",
    "address_key",
    "name_key",
    "session_row_id",
]
