"""``DbApiHook``: Airflow's common.sql hook semantics over any DB-API 2 driver.

Subclasses say which connection argument they read (``conn_name_attr``) and how to
open a driver connection (``get_conn``); running statements, fetching, committing and
inserting rows are shared here, with Airflow's return-value rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from typing import Any

from brisa.sdk.connection import BaseHook, Connection

Handler = Callable[[Any], Any]
Parameters = Sequence[Any] | Mapping[str, Any] | None


def fetch_all_handler(cursor: Any) -> list[Any] | None:
    """All rows of the last statement, or None when it returns no rows (an INSERT)."""
    return cursor.fetchall() if cursor.description is not None else None


def fetch_one_handler(cursor: Any) -> Any:
    """The first row of the last statement, or None when it returns no rows."""
    return cursor.fetchone() if cursor.description is not None else None


def return_single_query_results(sql: str | Iterable[str], return_last: bool, split_statements: bool) -> bool:
    """Whether ``run`` answers one result rather than a list: a single string, unless it
    was split into statements and every statement's result was asked for."""
    return isinstance(sql, str) and (return_last or not split_statements)


# A statement boundary is a ';' outside quotes, dollar quotes and comments; the
# alternatives before ';' consume those so their semicolons never match.
_TOKENS = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|(\$\w*\$).*?\1|;",
    re.DOTALL,
)


def split_sql_string(sql: str) -> list[str]:
    """The statements of ``sql``, stripped, without empty ones or trailing ';'."""
    statements, start = [], 0
    for match in _TOKENS.finditer(sql):
        if match.group(0) == ";":
            statements.append(sql[start : match.start()])
            start = match.end()
    statements.append(sql[start:])
    return [s.strip() for s in statements if _has_code(s)]


def _has_code(statement: str) -> bool:
    without_comments = re.sub(r"--[^\n]*|/\*.*?\*/", "", statement, flags=re.DOTALL)
    return bool(without_comments.strip())


class DbApiHook(BaseHook):
    """Run SQL through a DB-API 2 connection built from an Airflow connection."""

    conn_name_attr = "conn_id"
    default_conn_name = "default_conn_id"
    conn_type = ""
    hook_name = "DB-API"
    placeholder = "%s"
    """The driver's positional parameter marker, used by ``insert_rows``."""

    def __init__(self, *args: Any, schema: str | None = None, log_sql: bool = True, **kwargs: Any) -> None:
        super().__init__()
        # Airflow hooks take their conn id positionally or by their own keyword name.
        if args:
            setattr(self, self.conn_name_attr, args[0])
        elif self.conn_name_attr in kwargs:
            setattr(self, self.conn_name_attr, kwargs.pop(self.conn_name_attr))
        else:
            setattr(self, self.conn_name_attr, kwargs.pop("conn_id", self.default_conn_name))
        self.schema = schema
        self.log_sql = log_sql
        self.connection: Connection | None = kwargs.pop("connection", None)

    def get_conn_id(self) -> str:
        return getattr(self, self.conn_name_attr)

    def get_db_connection(self) -> Connection:
        """The Airflow connection (its password is masked in task logs once read)."""
        if self.connection is None:
            self.connection = self.get_connection(self.get_conn_id())
        return self.connection

    def get_conn(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement get_conn()")

    def get_cursor(self) -> Any:
        return self.get_conn().cursor()

    def set_autocommit(self, conn: Any, autocommit: bool) -> None:
        conn.autocommit = autocommit

    def get_autocommit(self, conn: Any) -> bool:
        return bool(getattr(conn, "autocommit", False))

    def get_records(self, sql: str | list[str], parameters: Parameters = None) -> Any:
        return self.run(sql=sql, parameters=parameters, handler=fetch_all_handler)

    def get_first(self, sql: str | list[str], parameters: Parameters = None) -> Any:
        return self.run(sql=sql, parameters=parameters, handler=fetch_one_handler)

    def run(
        self,
        sql: str | Iterable[str],
        autocommit: bool = False,
        parameters: Parameters = None,
        handler: Handler | None = None,
        split_statements: bool = False,
        return_last: bool = True,
    ) -> Any:
        """Run each statement in one connection and commit; answer the handler's results
        (the last one for a single query, else one per statement), None without a handler."""
        statements = self._statements(sql, split_statements)
        results = []
        with closing(self.get_conn()) as conn:
            self.set_autocommit(conn, autocommit)
            with closing(conn.cursor()) as cursor:
                for statement in statements:
                    self._run_command(cursor, statement, parameters)
                    if handler is not None:
                        results.append(handler(cursor))
            if not self.get_autocommit(conn):
                conn.commit()
        if handler is None:
            return None
        if return_single_query_results(sql, return_last, split_statements):
            return results[-1]
        return results

    def _statements(self, sql: str | Iterable[str], split_statements: bool) -> list[str]:
        if isinstance(sql, str):
            statements = split_sql_string(sql) if split_statements else [sql]
        else:
            statements = [s for s in sql if s]
        if not statements:
            raise ValueError("List of SQL statements is empty")
        return statements

    def _run_command(self, cursor: Any, sql: str, parameters: Parameters) -> None:
        if self.log_sql:
            self.log.info("Running statement: %s, parameters: %s", sql, parameters)
        if parameters:
            cursor.execute(sql, parameters)
        else:
            cursor.execute(sql)
        if getattr(cursor, "rowcount", -1) >= 0:
            self.log.info("Rows affected: %s", cursor.rowcount)

    def insert_rows(
        self,
        table: str,
        rows: Iterable[Sequence[Any]],
        target_fields: Sequence[str] | None = None,
        commit_every: int = 1000,
        replace: bool = False,
        **kwargs: Any,
    ) -> None:
        """Insert ``rows`` one statement each, committing every ``commit_every`` rows;
        ``replace`` replaces a row that has the same key (see :meth:`_insert_statement`)."""
        count = 0
        with closing(self.get_conn()) as conn:
            self.set_autocommit(conn, False)
            with closing(conn.cursor()) as cursor:
                for count, row in enumerate(rows, start=1):
                    statement = self._insert_statement(table, row, target_fields, replace, **kwargs)
                    cursor.execute(statement, list(row))
                    if commit_every and count % commit_every == 0:
                        conn.commit()
            conn.commit()
        self.log.info("Done loading. Loaded a total of %s rows into %s", count, table)

    def _insert_statement(
        self,
        table: str,
        row: Sequence[Any],
        target_fields: Sequence[str] | None,
        replace: bool = False,
        **kwargs: Any,
    ) -> str:
        """Airflow's generic form: ``REPLACE INTO`` when ``replace`` (SQLite, MySQL)."""
        columns = f" ({', '.join(target_fields)})" if target_fields else ""
        values = ",".join([self.placeholder] * len(row))
        return f"{'REPLACE' if replace else 'INSERT'} INTO {table}{columns} VALUES ({values})"

    def get_pandas_df(self, sql: str, parameters: Parameters = None, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "Brisa's SQL hooks do not support pandas (get_pandas_df/get_df); use get_records"
        )

    get_df = get_pandas_df

    def get_sqlalchemy_engine(self, engine_kwargs: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError(
            "Brisa's SQL hooks do not provide SQLAlchemy engines; use get_conn or get_records"
        )


__all__ = [
    "DbApiHook",
    "fetch_all_handler",
    "fetch_one_handler",
    "return_single_query_results",
    "split_sql_string",
]
