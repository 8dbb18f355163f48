"""``SQLExecuteQueryOperator`` and the postgres/sqlite operators built on it.

The hook is chosen by the connection's ``conn_type``, as Airflow's ``Connection.get_hook``
does: an installed provider's hook for its types (``brisa providers install mysql``), else
Brisa's hooks for PostgreSQL and SQLite; any other type fails naming it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.connection import BaseHook, build_hook
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.hooks.dbapi import DbApiHook, fetch_all_handler
from brisa.sdk.hooks.postgres import PostgresHook
from brisa.sdk.hooks.sqlite import SqliteHook

HOOKS: Mapping[str, type[DbApiHook]] = {
    "postgres": PostgresHook,
    "postgresql": PostgresHook,
    "sqlite": SqliteHook,
}


def hook_for(conn_id: str, hook_params: Mapping[str, Any] | None = None) -> DbApiHook:
    """The hook for ``conn_id``'s ``conn_type``: an installed provider's (mysql...), else
    Brisa's own; other databases fail naming the type."""
    from brisa.providers.connection_types import installed_connection_types

    connection = BaseHook.get_connection(conn_id)
    installed = installed_connection_types().get(connection.conn_type or "")
    if installed is not None:  # one scan of the providers' metadata, not a second in get_hook
        return build_hook(installed.hook_class(), conn_id, dict(hook_params or {}))
    hook_class = HOOKS.get((connection.conn_type or "").lower().replace("-", "_"))
    if hook_class is None:
        raise AirflowException(
            f"Brisa's SQL operators support only postgres and sqlite connections and those of "
            f"installed providers (brisa providers install): connection {conn_id!r} has conn_type "
            f"{connection.conn_type!r}"
        )
    params = {hook_class.conn_name_attr: conn_id, "connection": connection, **(hook_params or {})}
    return hook_class(**params)


def json_safe_rows(value: Any) -> Any:
    """Rows as lists (what Airflow's JSON XComs give back for tuples); UUIDs as text."""
    if isinstance(value, list | tuple):
        return [json_safe_rows(item) for item in value]
    if isinstance(value, dict):
        return {key: json_safe_rows(item) for key, item in value.items()}
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


class SQLExecuteQueryOperator(BaseOperator):
    """Run ``sql`` (a string, a list, or a ``.sql`` template file) on ``conn_id``.

    The handler's result (all rows of the last statement by default) is the return
    value, so it is pushed to XCom unless ``do_xcom_push=False``.
    """

    template_fields = ("sql", "parameters", "conn_id", "database", "hook_params")
    template_ext = (".sql", ".json")
    template_fields_renderers = {"sql": "sql", "parameters": "json"}
    ui_color = "#cdaaed"
    extra_fields = ("autocommit", "split_statements", "return_last")

    def __init__(
        self,
        *,
        sql: str | list[str],
        autocommit: bool = False,
        parameters: Mapping[str, Any] | list[Any] | tuple[Any, ...] | None = None,
        handler: Callable[[Any], Any] = fetch_all_handler,
        conn_id: str | None = None,
        database: str | None = None,
        split_statements: bool | None = None,
        return_last: bool = True,
        show_return_value_in_logs: bool = False,
        hook_params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sql = sql
        self.autocommit = autocommit
        self.parameters = parameters
        self.handler = handler
        self.conn_id = conn_id
        self.database = database
        self.split_statements = split_statements
        self.return_last = return_last
        self.show_return_value_in_logs = show_return_value_in_logs
        self.hook_params = hook_params or {}

    def get_db_hook(self) -> DbApiHook:
        if not self.conn_id:
            raise AirflowException(f"{type(self).__name__} {self.task_id!r} needs a conn_id")
        params = dict(self.hook_params)
        if self.database:
            params["schema"] = self.database
        return hook_for(self.conn_id, params)

    def execute(self, context: dict[str, Any]) -> Any:
        self.log.info("Executing: %s", self.sql)
        output = self.get_db_hook().run(
            sql=self.sql,
            autocommit=self.autocommit,
            parameters=self.parameters,
            handler=self.handler if self.do_xcom_push else None,
            split_statements=bool(self.split_statements),
            return_last=self.return_last,
        )
        if self.show_return_value_in_logs:
            self.log.info("Operator output is: %s", output)
        return json_safe_rows(output) if self.do_xcom_push else None


class PostgresOperator(SQLExecuteQueryOperator):
    """The postgres provider's operator: ``SQLExecuteQueryOperator`` on ``postgres_conn_id``."""

    template_fields_renderers = {**SQLExecuteQueryOperator.template_fields_renderers, "sql": "postgresql"}
    ui_color = "#ededed"

    def __init__(
        self, *, postgres_conn_id: str = "postgres_default", database: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(conn_id=postgres_conn_id, database=database, **kwargs)
        self.postgres_conn_id = postgres_conn_id


class SqliteOperator(SQLExecuteQueryOperator):
    """The sqlite provider's operator: ``SQLExecuteQueryOperator`` on ``sqlite_conn_id``."""

    template_fields_renderers = {**SQLExecuteQueryOperator.template_fields_renderers, "sql": "sql"}
    ui_color = "#cdaaed"

    def __init__(self, *, sqlite_conn_id: str = "sqlite_default", **kwargs: Any) -> None:
        super().__init__(conn_id=sqlite_conn_id, **kwargs)
        self.sqlite_conn_id = sqlite_conn_id


__all__ = [
    "PostgresOperator",
    "SQLExecuteQueryOperator",
    "SqliteOperator",
    "hook_for",
    "json_safe_rows",
]
