"""Alembic environment: always run by brisa.store.migrate, with a connection handed in, or
offline (``brisa db migrate --show-sql-only``) with the database URL, writing SQL."""

from __future__ import annotations

from alembic import context

from brisa.store.schema import metadata

if context.is_offline_mode():
    context.configure(
        url=context.config.attributes["url"],
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
else:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
with context.begin_transaction():
    context.run_migrations()
