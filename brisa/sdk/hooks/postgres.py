"""``PostgresHook``: the postgres provider's hook on psycopg 3.

Airflow's hook uses psycopg2; psycopg 3 (a Brisa dependency already) takes the same
connection keywords and parameter styles (``%s``, ``%(name)s``). Its cursors are
``ClientCursor``s, which bind parameters on the client as psycopg2 does, so a ``.sql``
file of several statements with parameters runs as it does under Airflow (server-side
binding refuses more than one statement).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import closing
from typing import Any
from urllib.parse import quote

from brisa.sdk.exceptions import AirflowException
from brisa.sdk.hooks.dbapi import DbApiHook

# Extras Airflow reads itself rather than passing to the driver.
_AIRFLOW_EXTRAS = frozenset(
    {
        "iam",
        "redshift",
        "redshift-serverless",
        "cursor",
        "cluster-identifier",
        "workgroup-name",
        "aws_conn_id",
        "azure_conn_id",
        "sqlalchemy_scheme",
        "sqlalchemy_query",
        "enable_log_db_messages",
    }
)
_COPY_FROM_STDIN = re.compile(r"\bFROM\s+STDIN\b", re.IGNORECASE)
_COPY_BLOCK = 1 << 16
_CURSORS = {"dictcursor": "dict_row", "realdictcursor": "dict_row", "namedtuplecursor": "namedtuple_row"}


def _row_factory(name: str) -> Any:
    """psycopg 3's row factory for psycopg2's ``cursor`` extra names."""
    from psycopg import rows

    factory = _CURSORS.get(name.lower())
    if factory is None:
        raise ValueError(f"Invalid cursor passed {name}. Valid options are: {sorted(_CURSORS)}")
    return getattr(rows, factory)


class PostgresHook(DbApiHook):
    """PostgreSQL through psycopg 3; ``database`` (or ``schema``) overrides the connection's."""

    conn_name_attr = "postgres_conn_id"
    default_conn_name = "postgres_default"
    conn_type = "postgres"
    hook_name = "Postgres"

    def __init__(self, *args: Any, database: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.database = database

    def get_conn(self) -> Any:
        import psycopg

        conn = self.get_db_connection()
        if conn.extra_dejson.get("iam"):
            raise AirflowException("Brisa's PostgresHook does not support IAM authentication")
        options = {key: value for key, value in self.connection_kwargs(conn).items() if value is not None}
        return psycopg.connect(cursor_factory=psycopg.ClientCursor, **options)

    def connection_kwargs(self, conn: Any) -> dict[str, Any]:
        """psycopg's keywords: the connection's fields, then its extras (sslmode...)."""
        extra = conn.extra_dejson
        kwargs: dict[str, Any] = {
            "host": conn.host,
            "port": conn.port,
            "user": conn.login,
            "password": conn.password,
            "dbname": self.database or self.schema or conn.schema,
        }
        if extra.get("cursor"):
            kwargs["row_factory"] = _row_factory(str(extra["cursor"]))
        kwargs.update({k: v for k, v in extra.items() if k not in _AIRFLOW_EXTRAS})
        return kwargs

    def copy_expert(self, sql: str, filename: str) -> None:
        """Run a ``COPY ... FROM STDIN`` from ``filename`` or a ``COPY ... TO STDOUT`` into it
        (psycopg2's ``copy_expert``, which DAGs call through the hook, on psycopg 3's ``copy``)."""
        loading = bool(_COPY_FROM_STDIN.search(sql))
        with closing(self.get_conn()) as conn, closing(conn.cursor()) as cursor:
            with cursor.copy(sql) as copy, open(filename, "rb" if loading else "wb") as file:
                if loading:
                    while block := file.read(_COPY_BLOCK):
                        copy.write(block)
                else:
                    for block in copy:
                        file.write(block)
            conn.commit()

    def bulk_load(self, table: str, tmp_file: str) -> None:
        """Load a tab-delimited file into ``table``."""
        self.copy_expert(f"COPY {table} FROM STDIN", tmp_file)

    def bulk_dump(self, table: str, tmp_file: str) -> None:
        """Dump ``table`` into a tab-delimited file."""
        self.copy_expert(f"COPY {table} TO STDOUT", tmp_file)

    def _insert_statement(
        self,
        table: str,
        row: Sequence[Any],
        target_fields: Sequence[str] | None,
        replace: bool = False,
        **kwargs: Any,
    ) -> str:
        """PostgreSQL has no ``REPLACE``: as Airflow's hook, ``replace`` needs the
        ``target_fields`` and a ``replace_index`` (the conflicting key's columns) and
        becomes ``INSERT ... ON CONFLICT (key) DO UPDATE`` of the other columns."""
        statement = super()._insert_statement(table, row, target_fields)
        if not replace:
            return statement
        index = kwargs.get("replace_index")
        if not target_fields or not index:
            raise ValueError("PostgreSQL ON CONFLICT upsert needs target_fields and replace_index")
        keys = [index] if isinstance(index, str) else list(index)
        others = [field for field in target_fields if field not in keys]
        action = (
            "DO UPDATE SET " + ", ".join(f"{field} = excluded.{field}" for field in others)
            if others
            else "DO NOTHING"
        )
        return f"{statement} ON CONFLICT ({', '.join(keys)}) {action}"

    def get_uri(self) -> str:
        """A SQLAlchemy-style ``postgresql://`` URI, as Airflow's hook gives."""
        conn = self.get_db_connection()
        auth = quote(conn.login or "", safe="")
        if conn.password:
            auth += ":" + quote(conn.password, safe="")
        netloc = (f"{auth}@" if auth else "") + (conn.host or "")
        if conn.port:
            netloc += f":{conn.port}"
        return f"postgresql://{netloc}/{self.database or self.schema or conn.schema or ''}"


__all__ = ["PostgresHook"]
