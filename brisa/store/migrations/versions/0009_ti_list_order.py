"""ti list order: an index on task_instance (map_index, id) for the REST API's default order

Numbered 0009 on purpose: other work in flight may add 0007 and 0008; whoever merges
renumbers (this one only needs to follow the newest).

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_instance") as batch_op:
        batch_op.create_index("ix_task_instance_map_index_id", ["map_index", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_instance") as batch_op:
        batch_op.drop_index("ix_task_instance_map_index_id")
