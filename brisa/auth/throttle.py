"""How long a login must wait after failed attempts: a pure policy over timestamps.

The caller keeps the record (brisa.api.login counts failures in the metadata database,
so the policy holds across API processes) and asks :meth:`LoginThrottle.check` before
checking a password. The default policy, counted per key (one username; the API keeps a
second, looser record per client address):

* failures are counted in a sliding window of 15 minutes, ending at the latest one;
* the first 4 cost nothing (typos happen);
* after the 5th, the next attempt must wait 1 s from the latest failure, doubling with
  each further failure: 1, 2, 4, 8, 16, then 30 s at most;
* 20 failures within the window lock the key for 15 minutes after the latest one.

Refused attempts (too early, or while locked) are not checked and must not be
recorded, or a locked account could never unlock; a successful login clears the
record. The delays grow slowly enough that a user who mistypes is barely slowed,
while guessing stays at a few hundred tries an hour per account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from brisa.errors import ConfigError


@dataclass(frozen=True)
class ThrottleDecision:
    allowed: bool
    locked: bool
    retry_after: float
    """Seconds until the next attempt may be checked; 0 when allowed."""


@dataclass(frozen=True)
class LoginThrottle:
    window: timedelta = timedelta(minutes=15)
    free_failures: int = 4
    """Failures that cost nothing; the delay starts with failure number free_failures + 1."""
    base_delay: float = 1.0
    max_delay: float = 30.0
    lockout_after: int = 20
    lockout: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.window <= timedelta(0) or self.lockout <= timedelta(0):
            raise ConfigError("login throttle window and lockout must be positive")
        if self.free_failures < 0 or self.lockout_after <= self.free_failures:
            raise ConfigError("login throttle needs 0 <= free_failures < lockout_after")
        if not 0 < self.base_delay <= self.max_delay:
            raise ConfigError("login throttle needs 0 < base_delay <= max_delay")

    def check(self, failures: Iterable[datetime], now: datetime) -> ThrottleDecision:
        latest, count = self._latest_and_count(failures)
        if latest is None:
            return ThrottleDecision(allowed=True, locked=False, retry_after=0.0)
        locked = count >= self.lockout_after
        pause = self.lockout.total_seconds() if locked else self.delay_after(count)
        retry_after = max(0.0, (latest - now).total_seconds() + pause)
        return ThrottleDecision(
            allowed=retry_after == 0.0, locked=locked and retry_after > 0, retry_after=retry_after
        )

    def delay_for(self, failures: Iterable[datetime], now: datetime) -> float:
        """Seconds to wait before the next attempt (the lock's remainder if locked)."""
        return self.check(failures, now).retry_after

    def is_locked(self, failures: Iterable[datetime], now: datetime) -> bool:
        return self.check(failures, now).locked

    def delay_after(self, count: int) -> float:
        """The pause that follows the ``count``-th failure in a window."""
        if count <= self.free_failures:
            return 0.0
        return min(self.max_delay, self.base_delay * 2.0 ** (count - self.free_failures - 1))

    def _latest_and_count(self, failures: Iterable[datetime]) -> tuple[datetime | None, int]:
        # Counted back from the latest failure, not from now: a lock then lasts its full
        # length instead of ending as soon as old failures slide out of the window.
        times = list(failures)
        if not times:
            return None, 0
        latest = max(times)
        return latest, sum(1 for t in times if t > latest - self.window)


__all__ = ["LoginThrottle", "ThrottleDecision"]
