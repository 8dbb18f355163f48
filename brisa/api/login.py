"""Checking a username and password, with the login throttle kept in the database.

The policy is :class:`brisa.auth.throttle.LoginThrottle`'s, applied to two counts in the
``login_failure`` table: one per user name (known or not, so a 429 tells nothing about
whether a name exists) and a looser one per client address (``[api]
login_failures_per_address``). Every API process of a deployment sees the same counts.

An attempt is counted *before* its password is checked, in one transaction that holds
both rows (:meth:`~brisa.store.repos.logins.LoginFailureRepo.lock`): of many attempts
sent at once, each sees the ones before it, so no more passwords are checked than the
policy allows. A refused attempt (too early, locked) is answered with
:class:`LoginThrottled`, is not counted, and costs no password check. A successful login
clears the name's count and takes its own attempt back off the address's.

Password checks (argon2, 64 MiB each) run at most ``[api] max_concurrent_password_checks``
at a time, so a burst of logins queues instead of taking the server's memory. An unknown
username costs the same check, against a dummy hash.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from brisa.api.context import ApiContext
from brisa.api.errors import LoginThrottled
from brisa.auth.passwords import hash_password, needs_rehash, verify_password
from brisa.auth.throttle import LoginThrottle
from brisa.auth.users import PASSWORD_MAX_LENGTH
from brisa.errors import AuthError, InvalidInputError
from brisa.store.repos.logins import FailureCount, address_key, name_key
from brisa.store.repos.users import UserRecord

log = logging.getLogger(__name__)

INVALID_CREDENTIALS = "Invalid credentials"
MISSING_CREDENTIALS = "Username and password must be provided"
LOGGED_NAME_LENGTH = 100
"""Failed logins are logged with the name given, cut to this length."""
ADDRESS_LOCKOUT_FACTOR = 5
"""A client address is locked after this many times its free failures."""


def address_throttle(free_failures: int) -> LoginThrottle | None:
    """The per-address policy: ``free_failures`` free, then the usual delays; 0 turns it off."""
    if free_failures <= 0:
        return None
    return LoginThrottle(free_failures=free_failures, lockout_after=free_failures * ADDRESS_LOCKOUT_FACTOR)


def client_address(request: Request) -> str | None:
    """The client's address as the server sees it (behind a proxy, see uvicorn's forwarded-allow-ips)."""
    return request.client.host if request.client else None


@dataclass(frozen=True)
class LoginAttempt:
    """An attempt the throttle let through and counted; its password is still to check."""

    username: str
    user: UserRecord | None
    client: str | None
    now: datetime


def check_credentials(ctx: ApiContext, username: str, password: str, client: str | None = None) -> UserRecord:
    """The active user with this password, or AuthError / LoginThrottled / InvalidInputError."""
    attempt = begin_login(ctx, username, password, client)
    return finish_login(ctx, attempt, password, check_password(ctx, password, attempt.user))


async def log_in(ctx: ApiContext, username: str, password: str, client: str | None) -> UserRecord:
    """:func:`check_credentials` for a request handler.

    The check runs on ``ctx.password_pool`` (``[api] max_concurrent_password_checks``
    threads): a burst of logins waits in its queue, not in the threads every other
    request needs, so the health check and the UI keep answering.
    """
    attempt = await run_in_threadpool(begin_login, ctx, username, password, client)
    checking = ctx.password_pool.submit(check_password, ctx, password, attempt.user)
    matched = await asyncio.wrap_future(checking)
    return await run_in_threadpool(finish_login, ctx, attempt, password, matched)


def begin_login(ctx: ApiContext, username: str, password: str, client: str | None) -> LoginAttempt:
    """Count the attempt, or refuse it (LoginThrottled) before its password is looked at."""
    if not username or not password:
        raise InvalidInputError(MISSING_CREDENTIALS)
    user = stored_user(ctx, username)
    claimed = claim_attempt(ctx, username, client)
    return LoginAttempt(username, user, client, claimed.last_failure or ctx.now())


def stored_user(ctx: ApiContext, username: str) -> UserRecord | None:
    if "\x00" in username:  # no user has one, and PostgreSQL refuses to compare with it
        return None
    with ctx.store.transaction(readonly=True) as tx:
        return tx.users.get(username)


def check_password(ctx: ApiContext, password: str, user: UserRecord | None) -> bool:
    """argon2, at most ``[api] max_concurrent_password_checks`` at once; unknown users alike."""
    if len(password) > PASSWORD_MAX_LENGTH:
        return False
    with ctx.password_checks:
        return verify_password(password, user.password_hash if user else None, hasher=ctx.hasher)


def finish_login(ctx: ApiContext, attempt: LoginAttempt, password: str, matched: bool) -> UserRecord:
    user = attempt.user
    if user is None or not matched or not user.active:
        client = attempt.client or "an unknown address"
        log.warning("login failed for user %r from %s", attempt.username[:LOGGED_NAME_LENGTH], client)
        if user is not None:
            note_failure(ctx, user, attempt.now)
        raise AuthError(INVALID_CREDENTIALS)
    record_success(ctx, user, password, attempt.client, attempt.now)
    return user


# --- the counts -----------------------------------------------------------------------------


def claim_attempt(ctx: ApiContext, username: str, client: str | None) -> FailureCount:
    """Count this attempt as a failure unless the policy refuses it; the name's new count.

    Both rows are locked, the name's first, so concurrent attempts queue here and each
    decides on the count the previous one left. The clock is read once the rows are held:
    a time taken before waiting could be earlier than a failure counted meanwhile, and the
    policy would then refuse even a free attempt.
    """
    policies = [(name_key(username), ctx.throttle)]
    if client and ctx.address_throttle is not None:
        policies.append((address_key(client), ctx.address_throttle))
    with ctx.store.transaction() as tx:
        counts = [tx.login_failures.lock(key) for key, _ in policies]
        now = ctx.now()
        for count, (_, throttle) in zip(counts, policies, strict=True):
            refuse_if_throttled(throttle, count, now)
        claimed = [counted(t, count, now) for count, (_, t) in zip(counts, policies, strict=True)]
        for count in claimed:
            tx.login_failures.set(count.key, failures=count.failures, last_failure=now)
    return claimed[0]


def refuse_if_throttled(throttle: LoginThrottle, count: FailureCount, now: datetime) -> None:
    decision = throttle.check(failure_times(throttle, count), now)
    if decision.allowed:
        return
    if decision.locked:
        message = f"Too many failed logins: locked for {decision.retry_after:.0f} s more"
    else:
        message = f"Too many failed logins: try again in {decision.retry_after:.0f} s"
    raise LoginThrottled(message, retry_after=decision.retry_after)


def failure_times(throttle: LoginThrottle, count: FailureCount) -> list[datetime]:
    """The row keeps a count and the latest time: the policy sees them as that many failures then."""
    if not count.failures or count.last_failure is None:
        return []
    return [count.last_failure] * min(count.failures, throttle.lockout_after)


def counted(throttle: LoginThrottle, count: FailureCount, now: datetime) -> FailureCount:
    """``count`` with one more failure at ``now``; failures older than the window start again at one."""
    stale = count.last_failure is None or count.last_failure <= now - throttle.window
    return FailureCount(count.key, 1 if stale else count.failures + 1, now)


def note_failure(ctx: ApiContext, user: UserRecord, now: datetime) -> None:
    """Copy the name's count onto the user's row, for the users page (it shows the lock).

    Read again rather than passed in: checks end in any order, the last copy is the latest.
    """
    with ctx.store.transaction() as tx:
        count = tx.login_failures.get(name_key(user.username))
        last = count.last_failure
        locked_until = None
        if last is not None and count.failures >= ctx.throttle.lockout_after:
            locked_until = last + ctx.throttle.lockout
        tx.users.update(
            user.username,
            failed_logins=count.failures,
            last_failed_login=last or now,
            locked_until=locked_until,
        )


def record_success(
    ctx: ApiContext, user: UserRecord, password: str, client: str | None, now: datetime
) -> None:
    new_hash = None
    if needs_rehash(user.password_hash, hasher=ctx.hasher):
        with ctx.password_checks:
            new_hash = hash_password(password, hasher=ctx.hasher)
    with ctx.store.transaction() as tx:
        tx.users.record_success(user.username, now=now)
        if new_hash is not None:
            tx.users.update(user.username, password_hash=new_hash)
        tx.login_failures.clear(name_key(user.username))
        if client and ctx.address_throttle is not None:
            tx.login_failures.forgive(address_key(client))
    forget_old_counts(ctx, now)


def forget_old_counts(ctx: ApiContext, now: datetime) -> None:
    """Housekeeping, in a transaction of its own: counts no policy looks at any more."""
    throttles = [t for t in (ctx.throttle, ctx.address_throttle) if t is not None]
    longest = max(max(t.window, t.lockout, timedelta(seconds=t.max_delay)) for t in throttles)
    with ctx.store.transaction() as tx:
        tx.login_failures.forget_before(now - longest)


__all__ = [
    "ADDRESS_LOCKOUT_FACTOR",
    "INVALID_CREDENTIALS",
    "LOGGED_NAME_LENGTH",
    "MISSING_CREDENTIALS",
    "LoginAttempt",
    "address_throttle",
    "begin_login",
    "check_credentials",
    "check_password",
    "claim_attempt",
    "client_address",
    "counted",
    "failure_times",
    "finish_login",
    "forget_old_counts",
    "log_in",
    "note_failure",
    "record_success",
    "refuse_if_throttled",
    "stored_user",
]
