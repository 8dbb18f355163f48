"""asset partitions: partition_key on asset events and DAG runs (and the run's
partition_date), and the per-key queue of partitioned events each
PartitionedAssetTimetable consumer waits for (Airflow 3.2+, issue 17)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import brisa.store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("asset_event") as batch_op:
        batch_op.add_column(sa.Column("partition_key", sa.String(length=250), nullable=True))
    with op.batch_alter_table("dag_run") as batch_op:
        batch_op.add_column(sa.Column("partition_key", sa.String(length=250), nullable=True))
        batch_op.add_column(
            sa.Column("partition_date", brisa.store.types.UtcDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "asset_partition_queue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target_dag_id", sa.String(length=250), nullable=False),
        sa.Column("partition_key", sa.String(length=250), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("created_at", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_asset_partition_queue_asset_id_asset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["asset_event.id"],
            name=op.f("fk_asset_partition_queue_event_id_asset_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_partition_queue")),
    )
    op.create_index(
        "ix_asset_partition_queue_target",
        "asset_partition_queue",
        ["target_dag_id", "partition_key"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_asset_partition_queue_target", table_name="asset_partition_queue")
    op.drop_table("asset_partition_queue")
    with op.batch_alter_table("dag_run") as batch_op:
        batch_op.drop_column("partition_date")
        batch_op.drop_column("partition_key")
    with op.batch_alter_table("asset_event") as batch_op:
        batch_op.drop_column("partition_key")
