"""ti list order: an index on task_instance (map_index, id) for the REST API's default order

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_instance") as batch_op:
        batch_op.create_index("ix_task_instance_map_index_id", ["map_index", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_instance") as batch_op:
        batch_op.drop_index("ix_task_instance_map_index_id")
