"""user credentials: ids never reused, a credential id per user, server-side sessions, login failures

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import context, op

import brisa.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite the table is copied to add AUTOINCREMENT, so a deleted user's id is never
    # given again; PostgreSQL's sequence never reused one.
    sqlite = op.get_context().dialect.name == "sqlite"
    with op.batch_alter_table(
        "ab_user", recreate="always" if sqlite else "auto", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(
            sa.Column("credential_id", sa.String(length=64), server_default="", nullable=False)
        )
    _give_every_user_a_credential_id()
    op.create_table(
        "ab_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ab_session")),
    )
    op.create_index("ix_ab_session_user_id", "ab_session", ["user_id"], unique=False)
    op.create_table(
        "login_failure",
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_failure", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failure")),
    )
    op.create_index("ix_login_failure_last_failure", "login_failure", ["last_failure"], unique=False)


def _give_every_user_a_credential_id() -> None:
    # Tokens issued before carry none: they are refused, and their users log in again.
    if context.is_offline_mode():  # SQL for a DBA to run (PostgreSQL only): random ids in SQL
        op.execute(
            "UPDATE ab_user SET credential_id = md5(random()::text || id::text || clock_timestamp()::text)"
        )
        return
    bind = op.get_bind()
    users = sa.table("ab_user", sa.column("id", sa.Integer), sa.column("credential_id", sa.String))
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(users.update().where(users.c.id == user_id).values(credential_id=secrets.token_hex(16)))


def downgrade() -> None:
    op.drop_index("ix_login_failure_last_failure", table_name="login_failure")
    op.drop_table("login_failure")
    op.drop_index("ix_ab_session_user_id", table_name="ab_session")
    op.drop_table("ab_session")
    with op.batch_alter_table("ab_user") as batch_op:
        batch_op.drop_column("credential_id")
