"""The metadata store: tables, repositories, transactions, migrations."""

from brisa.store.records import (
    DagRecord,
    ImportErrorRecord,
    JobRecord,
    Page,
    PoolRecord,
    RunRecord,
    TaskKey,
    TiRecord,
    TryRecord,
)
from brisa.store.sql import Store, Transaction, normalize_url

__all__ = [
    "DagRecord",
    "ImportErrorRecord",
    "JobRecord",
    "Page",
    "PoolRecord",
    "RunRecord",
    "Store",
    "TaskKey",
    "TiRecord",
    "Transaction",
    "TryRecord",
    "normalize_url",
]
