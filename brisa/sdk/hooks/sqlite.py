"""``SqliteHook``: the sqlite provider's hook on the standard library's sqlite3."""

from __future__ import annotations

import sqlite3
from typing import Any

from brisa.sdk.hooks.dbapi import DbApiHook


class SqliteHook(DbApiHook):
    """SQLite; the connection's host is the database file's path."""

    conn_name_attr = "sqlite_conn_id"
    default_conn_name = "sqlite_default"
    conn_type = "sqlite"
    hook_name = "Sqlite"
    placeholder = "?"

    def get_conn(self) -> sqlite3.Connection:
        return sqlite3.connect(self.database_path())

    def database_path(self) -> str:
        """The file: the host (``sqlite://%2Ftmp%2Fx.db``), else the path
        (``sqlite:////tmp/x.db`` parses with an empty host)."""
        conn = self.get_db_connection()
        return conn.host or conn.schema or ":memory:"

    def set_autocommit(self, conn: Any, autocommit: bool) -> None:
        # sqlite3 has no ``autocommit`` attribute before 3.12; isolation_level None is its
        # autocommit mode, and "" restores the default implicit transactions.
        conn.isolation_level = None if autocommit else ""

    def get_autocommit(self, conn: Any) -> bool:
        return conn.isolation_level is None

    def get_uri(self) -> str:
        return f"sqlite:///{self.database_path()}"


__all__ = ["SqliteHook"]
