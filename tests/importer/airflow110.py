"""An Airflow 1.10.15 metadata database, built as 1.10 left it (for the importer's tests).

1.10 cannot be installed on this Python, so the tables are declared here from Airflow
1.10.15's models (the columns the importer reads and their neighbours), stamped with its
Alembic head, and filled as 1.10 wrote them: Fernet tokens for connection passwords,
extras and variables, bcrypt (cost 12, flask_bcrypt) for ``password_auth`` users,
pickled ``dag_run.conf``, task instances keyed by ``execution_date``.

On MySQL the types are those 1.10's migrations gave: ``TIMESTAMP(6)`` dates (stored in UTC,
handed back in the session's time zone, which Airflow sets to UTC as :func:`build` does),
``LONGBLOB`` XCom values, ``TINYINT(1)`` booleans. ``mysql://`` URLs go through PyMySQL.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.dialects import mysql

HEAD_1_10_15 = "03afc6b6f902"
FERNET_KEY = "TfNvz1dnMzZ2sRXh6chRQjmG2KBSdhVQ7zNa0VqMIOo="
PASSWORD = "old-airflow-pass"
PLAIN_VARIABLE = '{"a": 1, "city": "Zürich ☀"}'
"""Not ASCII: MySQL's connection charset must carry it both ways."""

meta = sa.MetaData()
_ID = sa.String(250)
_DATE = sa.DateTime().with_variant(mysql.TIMESTAMP(fsp=6), "mysql")

sa.Table("alembic_version", meta, sa.Column("version_num", sa.String(32), primary_key=True))
connection = sa.Table(
    "connection",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conn_id", _ID),
    sa.Column("conn_type", sa.String(500)),
    sa.Column("host", sa.String(500)),
    sa.Column("schema", sa.String(500)),
    sa.Column("login", sa.String(500)),
    sa.Column("password", sa.String(5000)),
    sa.Column("port", sa.Integer),
    sa.Column("extra", sa.Text),
    sa.Column("is_encrypted", sa.Boolean),
    sa.Column("is_extra_encrypted", sa.Boolean),
)
variable = sa.Table(
    "variable",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", _ID, unique=True),
    sa.Column("val", sa.Text),
    sa.Column("is_encrypted", sa.Boolean),
)
slot_pool = sa.Table(
    "slot_pool",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pool", sa.String(50), unique=True),
    sa.Column("slots", sa.Integer),
    sa.Column("description", sa.Text),
)
users = sa.Table(
    "users",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", _ID, unique=True),
    sa.Column("email", sa.String(500)),
    sa.Column("password", sa.String(255)),
    sa.Column("superuser", sa.Boolean),
)
dag = sa.Table(
    "dag",
    meta,
    sa.Column("dag_id", _ID, primary_key=True),
    sa.Column("is_paused", sa.Boolean),
    sa.Column("is_subdag", sa.Boolean),
    sa.Column("is_active", sa.Boolean),
    sa.Column("last_scheduler_run", _DATE),
    sa.Column("last_pickled", _DATE),
    sa.Column("last_expired", _DATE),
    sa.Column("scheduler_lock", sa.Boolean),
    sa.Column("pickle_id", sa.Integer),
    sa.Column("fileloc", sa.String(2000)),
    sa.Column("owners", sa.String(2000)),
    sa.Column("description", sa.Text),
    sa.Column("default_view", sa.String(25)),
    sa.Column("schedule_interval", sa.Text),
    sa.Column("root_dag_id", _ID),
)
dag_run = sa.Table(
    "dag_run",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dag_id", _ID),
    sa.Column("execution_date", _DATE),
    sa.Column("state", sa.String(50)),
    sa.Column("run_id", _ID),
    sa.Column("external_trigger", sa.Boolean),
    sa.Column("conf", sa.LargeBinary),
    sa.Column("end_date", _DATE),
    sa.Column("start_date", _DATE),
    sa.UniqueConstraint("dag_id", "execution_date"),
    sa.UniqueConstraint("dag_id", "run_id"),
)
task_instance = sa.Table(
    "task_instance",
    meta,
    sa.Column("task_id", _ID, primary_key=True),
    sa.Column("dag_id", _ID, primary_key=True),
    sa.Column("execution_date", _DATE, primary_key=True),
    sa.Column("start_date", _DATE),
    sa.Column("end_date", _DATE),
    sa.Column("duration", sa.Float),
    sa.Column("state", sa.String(20)),
    sa.Column("try_number", sa.Integer),
    sa.Column("max_tries", sa.Integer),
    sa.Column("hostname", sa.String(1000)),
    sa.Column("unixname", sa.String(1000)),
    sa.Column("job_id", sa.Integer),
    sa.Column("pool", sa.String(50), nullable=False),
    sa.Column("pool_slots", sa.Integer),
    sa.Column("queue", sa.String(256)),
    sa.Column("priority_weight", sa.Integer),
    sa.Column("operator", sa.String(1000)),
    sa.Column("queued_dttm", _DATE),
    sa.Column("pid", sa.Integer),
    sa.Column("executor_config", sa.LargeBinary),
)
xcom = sa.Table(
    "xcom",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(512)),
    sa.Column("value", sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql")),
    sa.Column("timestamp", _DATE),
    sa.Column("execution_date", _DATE),
    sa.Column("task_id", _ID),
    sa.Column("dag_id", _ID),
)
for name in ("ab_role", "ab_user"):  # 1.10.13 created FAB's tables, empty without rbac
    sa.Table(name, meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(64)))
sa.Table(
    "ab_user_role",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer),
    sa.Column("role_id", sa.Integer),
)


@dataclass(frozen=True)
class Expected:
    """What the filled database holds, for the assertions."""

    finished_runs: int = 3
    running_runs: int = 1
    tasks_per_run: int = 2


START = datetime(2021, 3, 1)


def build(url: str) -> Expected:
    engine = _engine(url)
    meta.create_all(engine)
    fernet = Fernet(FERNET_KEY)
    seal = lambda text: fernet.encrypt(text.encode()).decode()  # noqa: E731
    with engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO alembic_version VALUES ('{HEAD_1_10_15}')"))
        for row in _connections(seal):
            conn.execute(connection.insert().values(**row))
        conn.execute(
            variable.insert(),
            [
                {"key": "env", "val": seal("production"), "is_encrypted": True},
                {"key": "plain", "val": PLAIN_VARIABLE, "is_encrypted": False},
            ],
        )
        conn.execute(slot_pool.insert(), [{"pool": "default_pool", "slots": 128}, {"pool": "db", "slots": 3}])
        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(12)).decode()
        conn.execute(users.insert(), [{"username": "maria", "email": "m@x.io", "password": hashed}])
        conn.execute(dag.insert(), [_dag("etl", paused=False), _dag("reports", paused=True)])
        _fill_runs(conn)
    engine.dispose()
    return Expected()


def _engine(url: str) -> sa.Engine:
    if not url.startswith("mysql://"):
        return sa.create_engine(url)
    engine = sa.create_engine(url.replace("mysql://", "mysql+pymysql://", 1))
    sa.event.listen(engine, "connect", _utc_session)
    return engine


def _utc_session(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    """What Airflow's settings do on each MySQL connection."""
    cursor = dbapi_conn.cursor()
    cursor.execute("SET time_zone = '+00:00'")
    cursor.close()


def _connections(seal) -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        {
            "conn_id": "warehouse",
            "conn_type": "postgres",
            "host": "db.example.com",
            "login": "etl",
            "password": seal("pg-secret"),
            "port": 5432,
            "extra": seal('{"sslmode": "require"}'),
            "is_encrypted": True,
            "is_extra_encrypted": True,
        },
        {"conn_id": "http_plain", "conn_type": "http", "host": "api.example.com", "is_encrypted": False},
    ]


def _dag(dag_id: str, *, paused: bool) -> dict:
    return {"dag_id": dag_id, "is_paused": paused, "is_active": True, "fileloc": f"/app/dags/{dag_id}.py"}


def _fill_runs(conn: sa.Connection) -> None:
    for day in range(4):
        when = START + timedelta(days=day)
        state = "running" if day == 3 else ("failed" if day == 1 else "success")
        conn.execute(
            dag_run.insert().values(
                dag_id="etl",
                execution_date=when,
                state=state,
                run_id=f"scheduled__{when.isoformat()}",
                external_trigger=False,
                conf=pickle.dumps({"day": day}, protocol=2),
                start_date=when + timedelta(hours=1),
                end_date=None if state == "running" else when + timedelta(hours=2),
            )
        )
        conn.execute(
            xcom.insert().values(
                key="return_value",
                value=pickle.dumps({"rows": day * 10}),  # 1.10 pickled XComs by default
                timestamp=when + timedelta(hours=1),
                execution_date=when,
                task_id="extract",
                dag_id="etl",
            )
        )
        for task_id in ("extract", "load"):
            ti_state = state if state != "running" else "running"
            conn.execute(
                task_instance.insert().values(
                    task_id=task_id,
                    dag_id="etl",
                    execution_date=when,
                    state=ti_state,
                    try_number=2 if state == "failed" else 1,
                    max_tries=1,
                    pool="default_pool",
                    pool_slots=1,
                    queue="default",
                    priority_weight=1,
                    hostname="worker.1",
                    operator="BashOperator",
                    start_date=when + timedelta(hours=1),
                    end_date=when + timedelta(hours=2),
                    duration=3600.0,
                )
            )
