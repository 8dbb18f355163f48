"""``wait_until``: tests wait for a condition, never for a fixed time.

A fixed sleep is either too short on a loaded machine (a flaky test) or too long everywhere
(a slow one); polling a condition returns as soon as it holds and fails with what it waited for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    *,
    timeout: float,
    what: str,
    interval: float = 0.02,
    details: Callable[[], str] | None = None,
) -> T:
    """Poll ``predicate`` until it returns something truthy, and return that.

    ``timeout`` only bounds a hang: it is not an assertion on how fast anything is. On a
    timeout the AssertionError names ``what`` and adds ``details()`` (logs, state).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f"\n{details()}" if details is not None else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{extra}")
        time.sleep(interval)
