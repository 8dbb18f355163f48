"""A store that lives and dies with the process: the real store on in-memory SQLite.

``brisa dags test``/``tasks test`` run on one (nothing they do is recorded), and tests
use it as the store's fake (see docs/architecture.md).
"""

from __future__ import annotations

from brisa.store import migrate
from brisa.store.sql import Store


def memory_store() -> Store:
    """A migrated store on in-memory SQLite (single-threaded use)."""
    store = Store("sqlite://")
    migrate.upgrade(store)
    return store


__all__ = ["memory_store"]
