"""triggers: deferred tries wait on trigger rows run by triggerers

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import brisa.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trigger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("classpath", sa.String(length=1000), nullable=False),
        sa.Column("kwargs", sa.Text(), nullable=False),
        sa.Column("created_date", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("triggerer_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trigger")),
    )
    op.create_index("ix_trigger_triggerer_id", "trigger", ["triggerer_id"], unique=False)
    with op.batch_alter_table("task_instance") as batch_op:
        batch_op.add_column(sa.Column("next_method", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("next_kwargs", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("trigger_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("trigger_timeout", brisa.store.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_task_instance_trigger_id", ["trigger_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_instance") as batch_op:
        batch_op.drop_index("ix_task_instance_trigger_id")
        batch_op.drop_column("trigger_timeout")
        batch_op.drop_column("trigger_id")
        batch_op.drop_column("next_kwargs")
        batch_op.drop_column("next_method")
    op.drop_index("ix_trigger_triggerer_id", table_name="trigger")
    op.drop_table("trigger")
