"""task state store (Airflow 3.3, AIP-103)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import brisa.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_state",
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("task_id", sa.String(length=250), nullable=False),
        sa.Column("map_index", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "dag_id", "run_id", "task_id", "map_index", "key", name=op.f("pk_task_state")
        ),
    )


def downgrade() -> None:
    op.drop_table("task_state")
