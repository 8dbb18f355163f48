"""Users of the web UI and API (passwords are argon2 hashes, see brisa.auth).

``credential_id`` is random, made anew when the user is created and when the password
changes; API tokens carry it, so neither a reset nor a new user of the same name accepts
an older token. Ids are never reused (AUTOINCREMENT on SQLite).
"""

from __future__ import annotations

import secrets as _random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from brisa.errors import ConflictError, NotFoundError
from brisa.store import schema as s
from brisa.store.records import Page


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    role: str
    password_hash: str
    active: bool
    created_at: datetime
    last_login: datetime | None
    failed_logins: int
    last_failed_login: datetime | None
    locked_until: datetime | None
    credential_id: str


def new_credential_id() -> str:
    return _random.token_hex(16)


def user_record(row: Any) -> UserRecord:
    m = row._mapping
    return UserRecord(**{k: m[k] for k in UserRecord.__dataclass_fields__})


class UserRepo:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def create(
        self,
        *,
        username: str,
        email: str,
        role: str,
        password_hash: str,
        now: datetime,
        first_name: str = "",
        last_name: str = "",
    ) -> UserRecord:
        if self.get(username) is not None:
            raise ConflictError(f"user {username!r} already exists")
        self.conn.execute(
            s.user.insert().values(
                username=username,
                email=email,
                role=role,
                password_hash=password_hash,
                created_at=now,
                first_name=first_name,
                last_name=last_name,
                credential_id=new_credential_id(),
            )
        )
        return self.require(username)

    def get(self, username: str) -> UserRecord | None:
        row = self.conn.execute(sa.select(s.user).where(s.user.c.username == username)).first()
        return user_record(row) if row else None

    def get_by_id(self, user_id: int) -> UserRecord | None:
        row = self.conn.execute(sa.select(s.user).where(s.user.c.id == user_id)).first()
        return user_record(row) if row else None

    def require(self, username: str) -> UserRecord:
        user = self.get(username)
        if user is None:
            raise NotFoundError(f"user {username!r} not found")
        return user

    def update(self, username: str, **fields: Any) -> UserRecord:
        if not self.conn.execute(
            s.user.update().where(s.user.c.username == username).values(**fields)
        ).rowcount:
            raise NotFoundError(f"user {username!r} not found")
        return self.require(username)

    def set_password(self, username: str, password_hash: str) -> UserRecord:
        """A new password: ends the user's sessions and tokens and lifts any login lock."""
        user = self.update(
            username,
            password_hash=password_hash,
            credential_id=new_credential_id(),
            failed_logins=0,
            last_failed_login=None,
            locked_until=None,
        )
        self.conn.execute(s.login_session.delete().where(s.login_session.c.user_id == user.id))
        from brisa.store.repos.logins import name_key

        self.conn.execute(s.login_failure.delete().where(s.login_failure.c.key == name_key(username)))
        return user

    def record_failure(self, username: str, *, now: datetime, locked_until: datetime | None) -> None:
        self.conn.execute(
            s.user.update()
            .where(s.user.c.username == username)
            .values(
                failed_logins=s.user.c.failed_logins + 1, last_failed_login=now, locked_until=locked_until
            )
        )

    def record_success(self, username: str, *, now: datetime) -> None:
        self.conn.execute(
            s.user.update()
            .where(s.user.c.username == username)
            .values(failed_logins=0, last_login=now, locked_until=None)
        )

    def delete(self, username: str) -> None:
        user = self.require(username)
        self.conn.execute(s.login_session.delete().where(s.login_session.c.user_id == user.id))
        self.conn.execute(s.user.delete().where(s.user.c.id == user.id))

    def count(self) -> int:
        return self.conn.execute(sa.select(sa.func.count()).select_from(s.user)).scalar_one()

    def list(self, *, limit: int | None = None, offset: int = 0) -> Page[UserRecord]:
        query = sa.select(s.user).order_by(s.user.c.username)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return Page([user_record(r) for r in self.conn.execute(query)], self.count())
