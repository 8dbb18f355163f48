"""The metadata database's tables (SQLAlchemy Core).

Names follow Airflow's where a table has an Airflow twin, so people who know Airflow's
schema find their way.  Alembic migrations in ``migrations/`` create them; this module
is what ``alembic revision --autogenerate`` compares against.
"""

from __future__ import annotations

import sqlalchemy as sa

from brisa.store.types import UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = 250  # length of ids (dag_id, task_id, run_id), as Airflow

dag = sa.Table(
    "dag",
    metadata,
    sa.Column("dag_id", sa.String(ID), primary_key=True),
    sa.Column("fileloc", sa.Text, nullable=False),
    sa.Column("relative_fileloc", sa.Text, nullable=False, server_default=""),
    sa.Column("is_paused", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("owners", sa.Text, nullable=False, server_default=""),
    sa.Column("description", sa.Text),
    sa.Column("timetable_summary", sa.Text),
    sa.Column("timetable_description", sa.Text),
    sa.Column("max_active_runs", sa.Integer),
    sa.Column("max_active_tasks", sa.Integer),
    sa.Column("max_consecutive_failed_dag_runs", sa.Integer, nullable=False, server_default="0"),
    sa.Column("has_task_concurrency_limits", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("has_import_errors", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("generation", sa.String(8), nullable=False, server_default="2"),
    sa.Column("serialized_hash", sa.String(64)),
    sa.Column("last_parsed_time", UtcDateTime),
    sa.Column("next_dagrun", UtcDateTime),
    sa.Column("next_dagrun_data_interval_start", UtcDateTime),
    sa.Column("next_dagrun_data_interval_end", UtcDateTime),
    sa.Column("next_dagrun_create_after", UtcDateTime),
    sa.Column("scheduled_until", UtcDateTime),
    # A SubDagOperator's child DAG (1.10/2.x): hidden from DAG lists, as Airflow's is_subdag.
    sa.Column("is_subdag", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_dag_next_dagrun_create_after", "next_dagrun_create_after"),
)

dag_tag = sa.Table(
    "dag_tag",
    metadata,
    sa.Column("dag_id", sa.String(ID), sa.ForeignKey("dag.dag_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.String(100), primary_key=True),
)

serialized_dag = sa.Table(
    "serialized_dag",
    metadata,
    sa.Column("dag_id", sa.String(ID), primary_key=True),
    sa.Column("fileloc", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("dag_hash", sa.String(64), nullable=False),
    sa.Column("source_code", sa.Text),
    sa.Column("last_updated", UtcDateTime, nullable=False),
)

import_error = sa.Table(
    "import_error",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("lineno", sa.Integer),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("stacktrace", sa.Text, nullable=False, server_default=""),
    sa.Column("timestamp", UtcDateTime, nullable=False),
)

dag_run = sa.Table(
    "dag_run",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dag_id", sa.String(ID), nullable=False),
    sa.Column("run_id", sa.String(ID), nullable=False),
    sa.Column("run_type", sa.String(50), nullable=False),
    sa.Column("state", sa.String(50), nullable=False),
    sa.Column("logical_date", UtcDateTime),
    sa.Column("data_interval_start", UtcDateTime),
    sa.Column("data_interval_end", UtcDateTime),
    sa.Column("run_after", UtcDateTime, nullable=False),
    sa.Column("queued_at", UtcDateTime),
    sa.Column("start_date", UtcDateTime),
    sa.Column("end_date", UtcDateTime),
    sa.Column("conf", sa.Text, nullable=False, server_default="{}"),
    sa.Column("triggered_by", sa.String(50)),
    sa.Column("triggering_user", sa.String(250)),
    sa.Column("creating_job_id", sa.Integer),
    sa.Column("note", sa.Text),
    sa.Column("clear_number", sa.Integer, nullable=False, server_default="0"),
    sa.Column("dag_hash", sa.String(64)),
    sa.Column("updated_at", UtcDateTime),
    sa.Column("backfill_id", sa.Integer),
    # Airflow 3.2+'s partitioned runs (migration 0009): the key a CronPartitionTimetable or a
    # PartitionedAssetTimetable gave the run, and the instant it stands for (a temporal key's);
    # None for every other run.
    sa.Column("partition_key", sa.String(ID)),
    sa.Column("partition_date", UtcDateTime),
    sa.UniqueConstraint("dag_id", "run_id"),
    sa.UniqueConstraint("dag_id", "logical_date"),
    sa.Index("ix_dag_run_state_dag_id", "state", "dag_id"),
    sa.Index("ix_dag_run_dag_id_run_after", "dag_id", "run_after"),
)

# Airflow 3's backfill: what ``brisa backfill create`` asked for. Its runs carry its id
# (``dag_run.backfill_id``, no foreign key: deleting a backfill's runs must not need it);
# their order is their ids', as the backfill created them (``run_backwards``: latest first).
backfill = sa.Table(
    "backfill",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dag_id", sa.String(ID), nullable=False),
    sa.Column("from_date", UtcDateTime, nullable=False),
    sa.Column("to_date", UtcDateTime, nullable=False),
    sa.Column("run_backwards", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("dag_run_conf", sa.Text, nullable=False, server_default="{}"),
    sa.Column("is_paused", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("reprocess_behavior", sa.String(ID), nullable=False, server_default="none"),
    sa.Column("max_active_runs", sa.Integer, nullable=False, server_default="10"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("completed_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("triggering_user_name", sa.String(512)),
    sa.Index("ix_backfill_dag_id_completed_at", "dag_id", "completed_at"),
)

task_instance = sa.Table(
    "task_instance",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dag_id", sa.String(ID), nullable=False),
    sa.Column("run_id", sa.String(ID), nullable=False),
    sa.Column("task_id", sa.String(ID), nullable=False),
    sa.Column("map_index", sa.Integer, nullable=False, server_default="-1"),
    sa.Column("state", sa.String(20)),
    sa.Column("try_number", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_tries", sa.Integer, nullable=False, server_default="0"),
    sa.Column("start_date", UtcDateTime),
    sa.Column("end_date", UtcDateTime),
    sa.Column("duration", sa.Float),
    sa.Column("hostname", sa.String(1000), nullable=False, server_default=""),
    sa.Column("pid", sa.Integer),
    sa.Column("operator", sa.String(1000)),
    sa.Column("pool", sa.String(256), nullable=False, server_default="default_pool"),
    sa.Column("pool_slots", sa.Integer, nullable=False, server_default="1"),
    sa.Column("queue", sa.String(256), nullable=False, server_default="default"),
    sa.Column("priority_weight", sa.Integer, nullable=False, server_default="1"),
    sa.Column("queued_dttm", UtcDateTime),
    sa.Column("queued_by_job_id", sa.Integer),
    sa.Column("supervisor_job_id", sa.Integer),
    sa.Column("next_try_at", UtcDateTime),
    sa.Column("sensor_started_at", UtcDateTime),
    sa.Column("last_heartbeat_at", UtcDateTime),
    sa.Column("rendered_fields", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("updated_at", UtcDateTime),
    # A deferred try (migration 0006): its trigger and what the resumed try calls.
    sa.Column("next_method", sa.String(1000)),
    sa.Column("next_kwargs", sa.Text),
    sa.Column("trigger_id", sa.Integer),
    sa.Column("trigger_timeout", UtcDateTime),
    sa.UniqueConstraint("dag_id", "run_id", "task_id", "map_index"),
    sa.Index("ix_task_instance_state", "state"),
    sa.Index("ix_task_instance_trigger_id", "trigger_id"),
    # The REST API lists task instances by map_index by default (Airflow's order): a page
    # is read from this index instead of sorting every row (migration 0008).
    sa.Index("ix_task_instance_map_index_id", "map_index", "id"),
)

trigger = sa.Table(
    "trigger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("classpath", sa.String(1000), nullable=False),
    sa.Column("kwargs", sa.Text, nullable=False),
    sa.Column("created_date", UtcDateTime, nullable=False),
    sa.Column("triggerer_id", sa.Integer),
    sa.Index("ix_trigger_triggerer_id", "triggerer_id"),
)
"""A deferred try's trigger; ``triggerer_id`` is the triggerer job running it (None: nobody)."""

task_try = sa.Table(
    "task_instance_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dag_id", sa.String(ID), nullable=False),
    sa.Column("run_id", sa.String(ID), nullable=False),
    sa.Column("task_id", sa.String(ID), nullable=False),
    sa.Column("map_index", sa.Integer, nullable=False),
    sa.Column("try_number", sa.Integer, nullable=False),
    sa.Column("state", sa.String(20)),
    sa.Column("start_date", UtcDateTime),
    sa.Column("end_date", UtcDateTime),
    sa.Column("duration", sa.Float),
    sa.Column("hostname", sa.String(1000), nullable=False, server_default=""),
    sa.Column("pid", sa.Integer),
    sa.Column("operator", sa.String(1000)),
    sa.Column("pool", sa.String(256), nullable=False, server_default="default_pool"),
    sa.Column("queue", sa.String(256), nullable=False, server_default="default"),
    sa.Column("priority_weight", sa.Integer, nullable=False, server_default="1"),
    sa.Column("max_tries", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rendered_fields", sa.Text),
    sa.UniqueConstraint("dag_id", "run_id", "task_id", "map_index", "try_number"),
)

task_log = sa.Table(
    "task_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dag_id", sa.String(ID), nullable=False),
    sa.Column("run_id", sa.String(ID), nullable=False),
    sa.Column("task_id", sa.String(ID), nullable=False),
    sa.Column("map_index", sa.Integer, nullable=False),
    sa.Column("try_number", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("dag_id", "run_id", "task_id", "map_index", "try_number", "seq"),
)

xcom = sa.Table(
    "xcom",
    metadata,
    sa.Column("dag_id", sa.String(ID), primary_key=True),
    sa.Column("run_id", sa.String(ID), primary_key=True),
    sa.Column("task_id", sa.String(ID), primary_key=True),
    sa.Column("map_index", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("value", sa.Text),
    sa.Column("timestamp", UtcDateTime, nullable=False),
)

task_state = sa.Table(
    "task_state",
    metadata,
    sa.Column("dag_id", sa.String(ID), primary_key=True),
    sa.Column("run_id", sa.String(ID), primary_key=True),
    sa.Column("task_id", sa.String(ID), primary_key=True),
    sa.Column("map_index", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime),
)
"""Airflow 3.3's task state store (AIP-103): a task instance's own keys, kept across its tries."""

job = sa.Table(
    "job",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("job_type", sa.String(30), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("hostname", sa.String(500), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("start_date", UtcDateTime, nullable=False),
    sa.Column("end_date", UtcDateTime),
    sa.Column("latest_heartbeat", UtcDateTime, nullable=False),
    sa.Index("ix_job_type_state", "job_type", "state"),
)

slot_pool = sa.Table(
    "slot_pool",
    metadata,
    sa.Column("pool", sa.String(256), primary_key=True),
    sa.Column("slots", sa.Integer, nullable=False),
    sa.Column("description", sa.Text),
)

variable = sa.Table(
    "variable",
    metadata,
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("val", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("is_encrypted", sa.Boolean, nullable=False, server_default=sa.false()),
)

connection = sa.Table(
    "connection",
    metadata,
    sa.Column("conn_id", sa.String(250), primary_key=True),
    sa.Column("conn_type", sa.String(500), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("host", sa.String(500)),
    sa.Column("schema", sa.String(500)),
    sa.Column("login", sa.Text),
    sa.Column("password", sa.Text),
    sa.Column("port", sa.Integer),
    sa.Column("extra", sa.Text),
    sa.Column("is_encrypted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_extra_encrypted", sa.Boolean, nullable=False, server_default=sa.false()),
)

user = sa.Table(
    "ab_user",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(256), nullable=False, unique=True),
    sa.Column("email", sa.String(256), nullable=False, server_default=""),
    sa.Column("first_name", sa.String(256), nullable=False, server_default=""),
    sa.Column("last_name", sa.String(256), nullable=False, server_default=""),
    sa.Column("role", sa.String(64), nullable=False),
    sa.Column("password_hash", sa.String(512), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_login", UtcDateTime),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_failed_login", UtcDateTime),
    sa.Column("locked_until", UtcDateTime),
    sa.Column("credential_id", sa.String(64), nullable=False, server_default=""),
    # AUTOINCREMENT: SQLite would otherwise give a deleted user's id to the next one.
    sqlite_autoincrement=True,
)

login_session = sa.Table(
    "ab_session",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Index("ix_ab_session_user_id", "user_id"),
)
"""Browser sessions: the cookie names a row (by the SHA-256 of its random id) that logout deletes."""

login_failure = sa.Table(
    "login_failure",
    metadata,
    sa.Column("key", sa.String(320), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_failure", UtcDateTime),
    sa.Index("ix_login_failure_last_failure", "last_failure"),
)
"""Login attempts counted per user name (``name:<casefolded>``) and client (``addr:<ip>``)."""

audit_log = sa.Table(
    "log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dttm", UtcDateTime, nullable=False),
    sa.Column("event", sa.String(60), nullable=False),
    sa.Column("owner", sa.String(500)),
    sa.Column("dag_id", sa.String(ID)),
    sa.Column("task_id", sa.String(ID)),
    sa.Column("run_id", sa.String(ID)),
    sa.Column("map_index", sa.Integer),
    sa.Column("try_number", sa.Integer),
    sa.Column("extra", sa.Text),
    sa.Index("ix_log_dttm", "dttm"),
)

# -- assets (Airflow 3's tables; 2.x datasets are assets whose name is their uri) --------------
ASSET_ID = 1500  # Airflow's limit on an asset's name, uri and group

asset = sa.Table(
    "asset",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(ASSET_ID), nullable=False),
    sa.Column("uri", sa.String(ASSET_ID), nullable=False),
    sa.Column("group", sa.String(ASSET_ID), nullable=False, server_default="asset"),
    sa.Column("extra", sa.Text, nullable=False, server_default="{}"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("name", "uri"),
)

asset_alias = sa.Table(
    "asset_alias",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(ASSET_ID), nullable=False, unique=True),
    sa.Column("group", sa.String(ASSET_ID), nullable=False, server_default="asset"),
)

asset_alias_asset = sa.Table(
    "asset_alias_asset",
    metadata,
    sa.Column("alias_id", sa.Integer, sa.ForeignKey("asset_alias.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
)
"""The assets an alias has resolved to: a task emitted an event on them through it."""

asset_watcher = sa.Table(
    "asset_watcher",
    metadata,
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("trigger_id", sa.Integer, sa.ForeignKey("trigger.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", sa.String(ASSET_ID), nullable=False),
    sa.Index("ix_asset_watcher_trigger_id", "trigger_id"),
)
"""Airflow 3's ``AssetWatcher`` (migration 0007): the trigger whose events become events on
the asset. It runs while an active, unpaused DAG is scheduled on the asset."""

asset_event = sa.Table(
    "asset_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), nullable=False),
    sa.Column("extra", sa.Text, nullable=False, server_default="{}"),
    sa.Column("source_dag_id", sa.String(ID)),
    sa.Column("source_run_id", sa.String(ID)),
    sa.Column("source_task_id", sa.String(ID)),
    sa.Column("source_map_index", sa.Integer, server_default="-1"),
    sa.Column("source_alias", sa.String(ASSET_ID)),
    sa.Column("timestamp", UtcDateTime, nullable=False),
    sa.Column("partition_key", sa.String(ID)),
    sa.Index("ix_asset_event_asset_id_timestamp", "asset_id", "timestamp"),
)

dag_schedule_asset_reference = sa.Table(
    "dag_schedule_asset_reference",
    metadata,
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("dag_id", sa.String(ID), primary_key=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_dag_schedule_asset_reference_dag_id", "dag_id"),
)

dag_schedule_asset_alias_reference = sa.Table(
    "dag_schedule_asset_alias_reference",
    metadata,
    sa.Column("alias_id", sa.Integer, sa.ForeignKey("asset_alias.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("dag_id", sa.String(ID), primary_key=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_dag_schedule_asset_alias_reference_dag_id", "dag_id"),
)

task_outlet_asset_reference = sa.Table(
    "task_outlet_asset_reference",
    metadata,
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("dag_id", sa.String(ID), primary_key=True),
    sa.Column("task_id", sa.String(ID), primary_key=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_task_outlet_asset_reference_dag_id", "dag_id"),
)

asset_dag_run_queue = sa.Table(
    "asset_dag_run_queue",
    metadata,
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("target_dag_id", sa.String(ID), primary_key=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_asset_dag_run_queue_target_dag_id", "target_dag_id"),
)
"""Assets updated since a consumer DAG's last asset-triggered run (one row per pair)."""

dagrun_asset_event = sa.Table(
    "dagrun_asset_event",
    metadata,
    sa.Column("dag_run_id", sa.Integer, sa.ForeignKey("dag_run.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("asset_event.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_dagrun_asset_event_event_id", "event_id"),
)
"""The events that triggered an asset-triggered run."""

asset_partition_queue = sa.Table(
    "asset_partition_queue",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("target_dag_id", sa.String(ID), nullable=False),
    sa.Column("partition_key", sa.String(ID), nullable=False),
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), nullable=False),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("asset_event.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_asset_partition_queue_target", "target_dag_id", "partition_key"),
)
"""Partitioned events a PartitionedAssetTimetable consumer has not consumed yet (migration
0009): one row per event and consumer, under the consumer's (mapped) partition key, as
Airflow's PartitionedAssetKeyLog. A run per key takes (deletes) its rows."""

__all__ = [
    "asset",
    "asset_alias",
    "asset_alias_asset",
    "asset_dag_run_queue",
    "asset_event",
    "asset_partition_queue",
    "audit_log",
    "connection",
    "dag",
    "dag_run",
    "dag_schedule_asset_alias_reference",
    "dag_schedule_asset_reference",
    "dag_tag",
    "dagrun_asset_event",
    "import_error",
    "job",
    "metadata",
    "serialized_dag",
    "slot_pool",
    "task_instance",
    "task_log",
    "task_outlet_asset_reference",
    "task_state",
    "task_try",
    "user",
    "variable",
    "xcom",
]
