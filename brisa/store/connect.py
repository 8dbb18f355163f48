"""The configured metadata database as a :class:`~brisa.store.sql.Store`.

Here rather than in ``brisa.cli.wiring`` so that code below the CLI which must reach
the configured database on its own (Airflow's ``DagBag`` in a user's test suite) opens
it the same way the commands do.
"""

from __future__ import annotations

from typing import Any

from brisa.store.sql import Store


def open_store(settings: Any) -> Store:
    """A store on ``[database] sql_alchemy_conn`` with the configured pool."""
    db = settings.database
    return Store(
        db.sql_alchemy_conn,
        pool_size=db.sql_alchemy_pool_size,
        max_overflow=db.sql_alchemy_max_overflow,
        pool_recycle=db.sql_alchemy_pool_recycle,
    )


__all__ = ["open_store"]
