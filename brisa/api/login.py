"""Checking a username and password, with the login throttle kept in the database.

The policy is :class:`brisa.auth.throttle.LoginThrottle`'s; its record for a user is the
``ab_user`` row (``failed_logins``, ``last_failed_login``, ``locked_until``), so every
API process of a deployment sees the same count. A refused attempt (too early, locked)
is answered with :class:`LoginThrottled` before the password is looked at, and is not
counted.

An unknown username must cost what a known one costs and be throttled the same way,
or timing and 429s would tell which usernames exist: the password is checked against a
dummy hash of the same cost, and failures are counted in a small in-process
:class:`FailureLog` (there is no row to count them in; a guess at a user that does not
exist endangers no account, so per-process counting is enough).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from brisa.api.context import ApiContext
from brisa.api.errors import LoginThrottled
from brisa.auth.passwords import hash_password, needs_rehash, verify_password
from brisa.auth.throttle import LoginThrottle
from brisa.auth.users import PASSWORD_MAX_LENGTH, username_key
from brisa.errors import AuthError, InvalidInputError
from brisa.store.repos.users import UserRecord

INVALID_CREDENTIALS = "Invalid credentials"
MISSING_CREDENTIALS = "Username and password must be provided"


class FailureLog:
    """Recent failure times per unknown username, in memory, at most ``max_keys`` names."""

    def __init__(self, throttle: LoginThrottle, max_keys: int = 10_000) -> None:
        self._throttle = throttle
        self._max_keys = max_keys
        self._times: OrderedDict[str, list[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def failures(self, username: str) -> list[datetime]:
        with self._lock:
            return list(self._times.get(username_key(username), ()))

    def add(self, username: str, now: datetime) -> None:
        key = username_key(username)
        with self._lock:
            kept = [t for t in self._times.pop(key, []) if t > now - self._throttle.window]
            self._times[key] = [*kept, now][-self._throttle.lockout_after :]
            while len(self._times) > self._max_keys:
                self._times.popitem(last=False)


def check_credentials(ctx: ApiContext, username: str, password: str) -> UserRecord:
    """The active user with this password, or AuthError / LoginThrottled / InvalidInputError."""
    if not username or not password:
        raise InvalidInputError(MISSING_CREDENTIALS)
    now = ctx.now()
    with ctx.store.transaction(readonly=True) as tx:
        user = tx.users.get(username)
    refuse_if_throttled(ctx.throttle, user, ctx.unknown_logins.failures(username), now)
    matched = len(password) <= PASSWORD_MAX_LENGTH and verify_password(
        password, user.password_hash if user else None, hasher=ctx.hasher
    )
    if user is None:
        ctx.unknown_logins.add(username, now)
        raise AuthError(INVALID_CREDENTIALS)
    if not matched or not user.active:
        record_failure(ctx, user, now)
        raise AuthError(INVALID_CREDENTIALS)
    record_success(ctx, user, password, now)
    return user


def refuse_if_throttled(
    throttle: LoginThrottle, user: UserRecord | None, unknown_failures: list[datetime], now: datetime
) -> None:
    if user is not None and user.locked_until is not None and user.locked_until > now:
        wait = (user.locked_until - now).total_seconds()
        raise LoginThrottled(f"Too many failed logins: locked for {wait:.0f} s more", retry_after=wait)
    failures = stored_failures(throttle, user) if user is not None else unknown_failures
    decision = throttle.check(failures, now)
    if not decision.allowed:
        raise LoginThrottled(
            f"Too many failed logins: try again in {decision.retry_after:.0f} s",
            retry_after=decision.retry_after,
        )


def stored_failures(throttle: LoginThrottle, user: UserRecord) -> list[datetime]:
    """The row keeps a count and the latest time: the policy sees them as that many failures then."""
    if not user.failed_logins or user.last_failed_login is None:
        return []
    return [user.last_failed_login] * min(user.failed_logins, throttle.lockout_after)


def record_failure(ctx: ApiContext, user: UserRecord, now: datetime) -> None:
    throttle = ctx.throttle
    fresh = user.last_failed_login is None or user.last_failed_login <= now - throttle.window
    count = 1 if fresh else user.failed_logins + 1
    locked_until = now + throttle.lockout if count >= throttle.lockout_after else None
    with ctx.store.transaction() as tx:
        if fresh:
            # Failures older than the window no longer count: start again at one.
            tx.users.update(user.username, failed_logins=1, last_failed_login=now, locked_until=locked_until)
        else:
            tx.users.record_failure(user.username, now=now, locked_until=locked_until)


def record_success(ctx: ApiContext, user: UserRecord, password: str, now: datetime) -> None:
    with ctx.store.transaction() as tx:
        tx.users.record_success(user.username, now=now)
        if needs_rehash(user.password_hash, hasher=ctx.hasher):
            tx.users.update(user.username, password_hash=hash_password(password, hasher=ctx.hasher))


__all__ = [
    "INVALID_CREDENTIALS",
    "MISSING_CREDENTIALS",
    "FailureLog",
    "check_credentials",
    "record_failure",
    "record_success",
    "refuse_if_throttled",
    "stored_failures",
]
