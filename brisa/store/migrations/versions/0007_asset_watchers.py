"""asset watchers: the triggers whose events become asset events (Airflow 3's asset_watcher)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asset_watcher",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("trigger_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=1500), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_asset_watcher_asset_id_asset"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["trigger_id"],
            ["trigger.id"],
            name=op.f("fk_asset_watcher_trigger_id_trigger"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", "trigger_id", name=op.f("pk_asset_watcher")),
    )
    op.create_index("ix_asset_watcher_trigger_id", "asset_watcher", ["trigger_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_asset_watcher_trigger_id", table_name="asset_watcher")
    op.drop_table("asset_watcher")
