"""initial schema

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import brisa.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "ab_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=256), nullable=False),
        sa.Column("email", sa.String(length=256), server_default="", nullable=False),
        sa.Column("first_name", sa.String(length=256), server_default="", nullable=False),
        sa.Column("last_name", sa.String(length=256), server_default="", nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=512), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_login", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_failed_login", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ab_user")),
        sa.UniqueConstraint("username", name=op.f("uq_ab_user_username")),
    )
    op.create_table(
        "connection",
        sa.Column("conn_id", sa.String(length=250), nullable=False),
        sa.Column("conn_type", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("host", sa.String(length=500), nullable=True),
        sa.Column("schema", sa.String(length=500), nullable=True),
        sa.Column("login", sa.Text(), nullable=True),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column("port", sa.Integer(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("is_encrypted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_extra_encrypted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("conn_id", name=op.f("pk_connection")),
    )
    op.create_table(
        "dag",
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("fileloc", sa.Text(), nullable=False),
        sa.Column("relative_fileloc", sa.Text(), server_default="", nullable=False),
        sa.Column("is_paused", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("owners", sa.Text(), server_default="", nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("timetable_summary", sa.Text(), nullable=True),
        sa.Column("timetable_description", sa.Text(), nullable=True),
        sa.Column("max_active_runs", sa.Integer(), nullable=True),
        sa.Column("max_active_tasks", sa.Integer(), nullable=True),
        sa.Column("max_consecutive_failed_dag_runs", sa.Integer(), server_default="0", nullable=False),
        sa.Column("has_task_concurrency_limits", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("has_import_errors", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("generation", sa.String(length=8), server_default="2", nullable=False),
        sa.Column("serialized_hash", sa.String(length=64), nullable=True),
        sa.Column("last_parsed_time", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_dagrun", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "next_dagrun_data_interval_start", brisa.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "next_dagrun_data_interval_end", brisa.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("next_dagrun_create_after", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("scheduled_until", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("dag_id", name=op.f("pk_dag")),
    )
    with op.batch_alter_table("dag", schema=None) as batch_op:
        batch_op.create_index("ix_dag_next_dagrun_create_after", ["next_dagrun_create_after"], unique=False)

    op.create_table(
        "dag_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("run_type", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=50), nullable=False),
        sa.Column("logical_date", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("data_interval_start", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("data_interval_end", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("run_after", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("queued_at", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("start_date", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_date", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("conf", sa.Text(), server_default="{}", nullable=False),
        sa.Column("triggered_by", sa.String(length=50), nullable=True),
        sa.Column("triggering_user", sa.String(length=250), nullable=True),
        sa.Column("creating_job_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("clear_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dag_hash", sa.String(length=64), nullable=True),
        sa.Column("updated_at", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dag_run")),
        sa.UniqueConstraint("dag_id", "logical_date", name=op.f("uq_dag_run_dag_id_logical_date")),
        sa.UniqueConstraint("dag_id", "run_id", name=op.f("uq_dag_run_dag_id_run_id")),
    )
    with op.batch_alter_table("dag_run", schema=None) as batch_op:
        batch_op.create_index("ix_dag_run_dag_id_run_after", ["dag_id", "run_after"], unique=False)
        batch_op.create_index("ix_dag_run_state_dag_id", ["state", "dag_id"], unique=False)

    op.create_table(
        "import_error",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("lineno", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("stacktrace", sa.Text(), server_default="", nullable=False),
        sa.Column("timestamp", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_error")),
    )
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_type", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("hostname", sa.String(length=500), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("start_date", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("end_date", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("latest_heartbeat", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index("ix_job_type_state", ["job_type", "state"], unique=False)

    op.create_table(
        "log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dttm", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("owner", sa.String(length=500), nullable=True),
        sa.Column("dag_id", sa.String(length=250), nullable=True),
        sa.Column("task_id", sa.String(length=250), nullable=True),
        sa.Column("run_id", sa.String(length=250), nullable=True),
        sa.Column("map_index", sa.Integer(), nullable=True),
        sa.Column("try_number", sa.Integer(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log")),
    )
    with op.batch_alter_table("log", schema=None) as batch_op:
        batch_op.create_index("ix_log_dttm", ["dttm"], unique=False)

    op.create_table(
        "serialized_dag",
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("fileloc", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("dag_hash", sa.String(length=64), nullable=False),
        sa.Column("source_code", sa.Text(), nullable=True),
        sa.Column("last_updated", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dag_id", name=op.f("pk_serialized_dag")),
    )
    op.create_table(
        "slot_pool",
        sa.Column("pool", sa.String(length=256), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("pool", name=op.f("pk_slot_pool")),
    )
    op.create_table(
        "task_instance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("task_id", sa.String(length=250), nullable=False),
        sa.Column("map_index", sa.Integer(), server_default="-1", nullable=False),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("try_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("start_date", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_date", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("hostname", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("operator", sa.String(length=1000), nullable=True),
        sa.Column("pool", sa.String(length=256), server_default="default_pool", nullable=False),
        sa.Column("pool_slots", sa.Integer(), server_default="1", nullable=False),
        sa.Column("queue", sa.String(length=256), server_default="default", nullable=False),
        sa.Column("priority_weight", sa.Integer(), server_default="1", nullable=False),
        sa.Column("queued_dttm", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("queued_by_job_id", sa.Integer(), nullable=True),
        sa.Column("supervisor_job_id", sa.Integer(), nullable=True),
        sa.Column("next_try_at", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sensor_started_at", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_heartbeat_at", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("rendered_fields", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_instance")),
        sa.UniqueConstraint(
            "dag_id",
            "run_id",
            "task_id",
            "map_index",
            name=op.f("uq_task_instance_dag_id_run_id_task_id_map_index"),
        ),
    )
    with op.batch_alter_table("task_instance", schema=None) as batch_op:
        batch_op.create_index("ix_task_instance_state", ["state"], unique=False)

    op.create_table(
        "task_instance_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("task_id", sa.String(length=250), nullable=False),
        sa.Column("map_index", sa.Integer(), nullable=False),
        sa.Column("try_number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("start_date", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_date", brisa.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("hostname", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("operator", sa.String(length=1000), nullable=True),
        sa.Column("pool", sa.String(length=256), server_default="default_pool", nullable=False),
        sa.Column("queue", sa.String(length=256), server_default="default", nullable=False),
        sa.Column("priority_weight", sa.Integer(), server_default="1", nullable=False),
        sa.Column("max_tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rendered_fields", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_instance_history")),
        sa.UniqueConstraint(
            "dag_id",
            "run_id",
            "task_id",
            "map_index",
            "try_number",
            name=op.f("uq_task_instance_history_dag_id_run_id_task_id_map_index_try_number"),
        ),
    )
    op.create_table(
        "task_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("task_id", sa.String(length=250), nullable=False),
        sa.Column("map_index", sa.Integer(), nullable=False),
        sa.Column("try_number", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_log")),
        sa.UniqueConstraint(
            "dag_id",
            "run_id",
            "task_id",
            "map_index",
            "try_number",
            "seq",
            name=op.f("uq_task_log_dag_id_run_id_task_id_map_index_try_number_seq"),
        ),
    )
    op.create_table(
        "variable",
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("val", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_encrypted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_variable")),
    )
    op.create_table(
        "xcom",
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("run_id", sa.String(length=250), nullable=False),
        sa.Column("task_id", sa.String(length=250), nullable=False),
        sa.Column("map_index", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("timestamp", brisa.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dag_id", "run_id", "task_id", "map_index", "key", name=op.f("pk_xcom")),
    )
    op.create_table(
        "dag_tag",
        sa.Column("dag_id", sa.String(length=250), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["dag_id"], ["dag.dag_id"], name=op.f("fk_dag_tag_dag_id_dag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dag_id", "name", name=op.f("pk_dag_tag")),
    )


def downgrade() -> None:

    op.drop_table("dag_tag")
    op.drop_table("xcom")
    op.drop_table("variable")
    op.drop_table("task_log")
    op.drop_table("task_instance_history")
    with op.batch_alter_table("task_instance", schema=None) as batch_op:
        batch_op.drop_index("ix_task_instance_state")

    op.drop_table("task_instance")
    op.drop_table("slot_pool")
    op.drop_table("serialized_dag")
    with op.batch_alter_table("log", schema=None) as batch_op:
        batch_op.drop_index("ix_log_dttm")

    op.drop_table("log")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index("ix_job_type_state")

    op.drop_table("job")
    op.drop_table("import_error")
    with op.batch_alter_table("dag_run", schema=None) as batch_op:
        batch_op.drop_index("ix_dag_run_state_dag_id")
        batch_op.drop_index("ix_dag_run_dag_id_run_after")

    op.drop_table("dag_run")
    with op.batch_alter_table("dag", schema=None) as batch_op:
        batch_op.drop_index("ix_dag_next_dagrun_create_after")

    op.drop_table("dag")
    op.drop_table("connection")
    op.drop_table("ab_user")
