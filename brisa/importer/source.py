"""The Airflow database read from: opened read-only, its tables reflected as found.

SQLite files are opened with ``mode=ro``; PostgreSQL sessions start with
``default_transaction_read_only``; MySQL sessions with ``SET SESSION TRANSACTION READ
ONLY``. So no statement of the import can change the source, whatever it is. A remote
PostgreSQL host gets ``sslmode=require`` unless the URL says otherwise (Heroku Postgres
refuses plain connections), as Brisa's own ``DATABASE_URL`` does.

MySQL: Airflow's ``mysql://`` (mysqlclient) is read with PyMySQL, Brisa's ``mysql`` extra.
Sessions are set to UTC, as Airflow sets its own: MySQL hands ``TIMESTAMP`` columns back
in the session's time zone, which is the server's unless set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc

from brisa.config import normalize_database_url
from brisa.errors import ConfigError, InvalidInputError, StoreError
from brisa.importer.versions import AirflowVersion, detect

BATCH = 1000


def read_only_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    if url.startswith(("postgres://", "postgresql")):
        return sa.create_engine(
            normalize_database_url(url, require_ssl_when_remote=True),
            connect_args={"options": "-c default_transaction_read_only=on"},
        )
    if url.startswith("mysql"):
        return _mysql_engine(url)
    raise InvalidInputError(
        f"unsupported source URL {url.split(':', 1)[0]!r}: use sqlite, postgresql or mysql"
    )


def _sqlite_engine(url: str) -> sa.Engine:
    path = sa.engine.make_url(url).database
    if not path:
        raise InvalidInputError("a SQLite source needs a file path: sqlite:////path/to/airflow.db")
    return sa.create_engine(f"sqlite+pysqlite:///file:{path}?mode=ro&uri=true")


def _mysql_engine(url: str) -> sa.Engine:
    url = normalize_database_url(url)  # Airflow's mysql:// -> PyMySQL, Brisa's mysql extra
    try:
        engine = sa.create_engine(url)
    except ImportError as error:
        raise ConfigError(
            f"a MySQL source needs a MySQL driver ({error}): pip install 'brisa[mysql]' (PyMySQL, "
            "used for mysql:// URLs)"
        ) from None
    event.listen(engine, "connect", _mysql_session)
    return engine


def _mysql_session(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("SET SESSION TRANSACTION READ ONLY")
    cursor.execute("SET time_zone = '+00:00'")  # as Airflow's sessions: TIMESTAMPs read as written
    cursor.close()


class SourceDb:
    """Tables and rows of an Airflow metadata database, read in one read-only transaction."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.tables = set(sa.inspect(conn).get_table_names())
        self._meta = sa.MetaData()
        self._streams: list[sa.CursorResult[Any]] = []

    def has(self, table: str) -> bool:
        return table in self.tables

    def table(self, name: str) -> sa.Table:
        if name not in self._meta.tables:
            sa.Table(name, self._meta, autoload_with=self.conn)
        return self._meta.tables[name]

    def columns(self, name: str) -> set[str]:
        return set(self.table(name).c.keys()) if self.has(name) else set()

    def version(self) -> AirflowVersion:
        if not self.has("alembic_version"):
            raise InvalidInputError("the source has no alembic_version table: is it an Airflow database?")
        rows = self.conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
        return detect([str(r) for r in rows])

    def count(self, name: str) -> int:
        if not self.has(name):
            return 0
        return self.conn.execute(sa.select(sa.func.count()).select_from(self.table(name))).scalar_one()

    def rows(self, name: str) -> Iterator[dict[str, Any]]:
        """Every row of ``name`` as a dict, in batches (nothing when the table is absent)."""
        if not self.has(name):
            return
        table = self.table(name)
        order = list(table.primary_key.columns) or list(table.c)
        result = self.conn.execution_options(yield_per=BATCH).execute(sa.select(table).order_by(*order))
        self._streams.append(result)
        for row in result:
            yield dict(row._mapping)
        self._streams.remove(result)

    def close(self) -> None:
        """End the rows still streaming (an import that failed half-way), before the rollback:
        MySQL warns of a result left unread when the next statement comes."""
        for result in self._streams:
            result.close()
        self._streams.clear()


@contextmanager
def open_source(url: str) -> Iterator[SourceDb]:
    """The source at ``url``, read-only; errors reaching it become :class:`StoreError`."""
    engine = read_only_engine(url)
    try:
        with engine.connect() as conn:
            source = SourceDb(conn)
            try:
                yield source
            finally:
                source.close()
            conn.rollback()
    except exc.SQLAlchemyError as error:
        raise StoreError(
            f"cannot read the Airflow database: {type(error).__name__}: {error.args[0]}"
        ) from None
    finally:
        engine.dispose()


__all__ = ["SourceDb", "open_source", "read_only_engine"]
