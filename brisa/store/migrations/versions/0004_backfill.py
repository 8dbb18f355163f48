"""backfills (Airflow 3's backfill table, dag_run.backfill_id) and dag.is_subdag

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import brisa.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backfill",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("from_date", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("to_date", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("run_backwards", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("dag_run_conf", sa.Text(), server_default="{}", nullable=False),
        sa.Column("is_paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reprocess_behavior", sa.String(length=250), server_default="none", nullable=False),
        sa.Column("max_active_runs", sa.Integer(), server_default="10", nullable=False),
        sa.Column("created_at", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("triggering_user_name", sa.String(length=512), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backfill")),
    )
    op.create_index("ix_backfill_dag_id_completed_at", "backfill", ["dag_id", "completed_at"], unique=False)
    with op.batch_alter_table("dag_run") as batch_op:
        batch_op.add_column(sa.Column("backfill_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("dag") as batch_op:
        batch_op.add_column(sa.Column("is_subdag", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("dag") as batch_op:
        batch_op.drop_column("is_subdag")
    with op.batch_alter_table("dag_run") as batch_op:
        batch_op.drop_column("backfill_id")
    op.drop_index("ix_backfill_dag_id_completed_at", table_name="backfill")
    op.drop_table("backfill")
