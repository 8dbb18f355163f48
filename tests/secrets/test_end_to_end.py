"""Secrets through the real engine: a DAG file, the scheduler, the LocalExecutor, task processes.

A task that prints every kind of secret it can reach (connection passwords from the
database and from ``AIRFLOW_CONN_*``, secret extras, sensitive variables, values given
to ``mask_secret``) must leave ``***`` in the stored log and in the rendered fields;
templates must still see the real values; the database must hold no plaintext.
"""

import os
import textwrap
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from brisa.secrets.fernet import generate_key
from brisa.store import schema

DB_PASSWORD = "db-pass-1234-secret"
EXTRA_TOKEN = "extra-token-2468"
ENV_PASSWORD = "env-pass-5678-secret"
SENSITIVE_VARIABLE = "var-secret-9753"
ENV_SENSITIVE_VARIABLE = "env-api-key-1357"
HAND_MASKED = "made-up-secret-4242"
TOP_LEVEL_MASKED = "top-level-secret-8642"
SECRETS = (
    DB_PASSWORD,
    EXTRA_TOKEN,
    ENV_PASSWORD,
    SENSITIVE_VARIABLE,
    ENV_SENSITIVE_VARIABLE,
    HAND_MASKED,
    TOP_LEVEL_MASKED,
)

DAG_FILE = textwrap.dedent(
    f'''
    import logging
    from datetime import datetime

    from airflow import DAG
    from airflow.hooks.base import BaseHook
    from airflow.models import Variable
    from airflow.operators.bash import BashOperator
    from airflow.operators.python import PythonOperator

    from brisa.secrets.masking import mask_secret

    mask_secret("{TOP_LEVEL_MASKED}")  # at import: inside a try it reaches the supervisor


    def leak():
        db = BaseHook.get_connection("db_conn")
        print("db password:", db.password)
        print("extra token:", db.extra_dejson["api_token"], "region:", db.extra_dejson["region"])
        print("env password:", BaseHook.get_connection("env_conn").password)
        print("sensitive variable:", Variable.get("service_secret"))
        print("env sensitive variable:", Variable.get("env_api_key"))
        print("plain variable:", Variable.get("region"))
        mask_secret("{HAND_MASKED}")
        print("masked by hand:", "{HAND_MASKED}")
        mask_secret("named-but-visible", name="hostname")
        print("named harmless:", "named-but-visible")
        logging.getLogger("airflow.task").info("through logging: %s", db.password)
        print("top level:", "{TOP_LEVEL_MASKED}")


    def show(**context):
        print("creds:", context["creds"], "var:", context["var"])


    with DAG("secrets_e2e", start_date=datetime(2024, 1, 1), schedule=None):
        PythonOperator(task_id="leak", python_callable=leak)
        PythonOperator(
            task_id="nested",
            python_callable=show,
            op_kwargs={{
                "creds": {{
                    "deep": [{{"pw": "{{{{ conn.db_conn.password }}}}"}}],
                    "env": "{{{{ conn.env_conn.password }}}}",
                }},
                "var": "{{{{ var.value.service_secret }}}}",
            }},
        )
        BashOperator(
            task_id="templates",
            bash_command=(
                "echo host={{{{ conn.db_conn.host }}}} port={{{{ conn.db_conn.port }}}}"
                " y={{{{ var.json.settings.nested.y }}}} region={{{{ var.value.region }}}}"
                " envhost={{{{ conn.env_conn.host }}}} envvar={{{{ var.value.from_env }}}}"
                " envjson={{{{ var.json.env_json.a.b }}}}"
                " pw={{{{ conn.db_conn.password }}}} top={TOP_LEVEL_MASKED}"
            ),
            env={{"MY_SETTING": "{{{{ conn.env_conn.password }}}}"}},
            append_env=True,
        )
    '''
)


@pytest.fixture(scope="module")
def engine_home(tmp_path_factory):
    """Settings for an engine on a SQLite file, with a DAG folder and AIRFLOW_CONN_/VAR_ variables."""
    home = tmp_path_factory.mktemp("engine")
    dags = home / "dags"
    dags.mkdir()
    (dags / "secrets_e2e.py").write_text(DAG_FILE)
    environment = {
        "BRISA_HOME": str(home),
        "BRISA__CORE__DAGS_FOLDER": str(dags),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
        "BRISA__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "BRISA__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/brisa.db",
        "BRISA__CORE__FERNET_KEY": generate_key(),
        "BRISA__CORE__PARALLELISM": "2",
        "AIRFLOW_CONN_ENV_CONN": f"postgres://envuser:{ENV_PASSWORD}@env-host:5432/envdb",
        "AIRFLOW_VAR_FROM_ENV": "env-var-value",
        "AIRFLOW_VAR_ENV_JSON": '{"a": {"b": "bee"}}',
        "AIRFLOW_VAR_ENV_API_KEY": ENV_SENSITIVE_VARIABLE,
    }
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("BRISA", "AIRFLOW")) or name in ("DATABASE_URL", "PORT"):
                patch.delenv(name)
        for name, value in environment.items():
            patch.setenv(name, value)
        yield home


def run_dag_to_the_end(dag_id, timeout=60.0):
    """Start an Engine, add the secrets through its service, trigger ``dag_id``, wait for the end."""
    from brisa.cli import wiring
    from brisa.cli.engine import Engine
    from brisa.services.runs import trigger_run
    from brisa.store import migrate

    settings = wiring.load_settings()
    store = wiring.open_store(settings)
    migrate.upgrade(store)
    store.dispose()
    engine = Engine(settings)
    thread = None
    try:
        secrets = engine.secrets
        secrets.set_connection(
            {
                "conn_id": "db_conn",
                "conn_type": "postgres",
                "host": "db-host",
                "port": 5432,
                "login": "dbuser",
                "password": DB_PASSWORD,
                "extra": {"api_token": EXTRA_TOKEN, "region": "eu-west-1"},
            }
        )
        secrets.set_variable("service_secret", SENSITIVE_VARIABLE)
        secrets.set_variable("region", "eu-west-1")
        secrets.set_variable("settings", {"nested": {"y": "why-value"}})
        engine.start()
        engine.load_dags()
        with engine.store.transaction() as tx:
            run = trigger_run(tx, tx.dags.require_serialized(dag_id), now=datetime.now(UTC))
        thread = threading.Thread(target=engine.run, daemon=True)
        thread.start()
        return _wait_and_collect(engine.store, dag_id, run.run_id, timeout)
    finally:
        engine.request_stop()
        if thread is not None:
            thread.join(timeout=30)
        else:
            engine.shutdown()


def _wait_and_collect(store, dag_id, run_id, timeout):
    deadline = time.monotonic() + timeout
    while True:
        with store.transaction(readonly=True) as tx:
            state = tx.runs.require(dag_id, run_id).state.value
        if state in ("success", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    with store.transaction(readonly=True) as tx:
        tis = {ti.task_id: ti for ti in tx.tis.for_run(dag_id, run_id)}
        logs = {task_id: tx.logs.read(ti.key, ti.try_number)[0] for task_id, ti in tis.items()}
        table_rows = [
            repr([tuple(row) for row in tx.conn.execute(sa.select(table))])
            for table in (schema.variable, schema.connection)
        ]
    return state, tis, logs, "\n".join(table_rows)


@pytest.fixture(scope="module")
def finished(engine_home):
    return run_dag_to_the_end("secrets_e2e")


def test_the_run_succeeds(finished):
    state, tis, logs, _ = finished
    assert state == "success", logs
    assert {task_id: ti.state.value for task_id, ti in tis.items()} == dict.fromkeys(
        ("leak", "nested", "templates"), "success"
    )


def test_task_logs_show_stars_and_never_a_secret(finished):
    _, _, logs, _ = finished
    leak = logs["leak"]
    for secret in SECRETS:
        for task_id, text in logs.items():
            assert secret not in text, f"{secret} leaked into the log of {task_id}"
    for line in (
        "db password: ***",
        "extra token: *** region: eu-west-1",
        "env password: ***",
        "sensitive variable: ***",
        "env sensitive variable: ***",
        "plain variable: eu-west-1",
        "masked by hand: ***",
        "named harmless: named-but-visible",
        "through logging: ***",
        "top level: ***",
    ):
        assert line in leak, line
    assert "creds: {'deep': [{'pw': '***'}], 'env': '***'} var: ***" in logs["nested"]


def test_rendered_fields_are_masked_at_every_depth(finished):
    _, tis, _, _ = finished
    rendered = tis["nested"].rendered_fields
    assert rendered["op_kwargs"] == {"creds": {"deep": [{"pw": "***"}], "env": "***"}, "var": "***"}
    assert tis["templates"].rendered_fields["env"] == {"MY_SETTING": "***"}


def test_templates_see_variables_and_connections_from_the_database_and_the_environment(finished):
    _, tis, logs, _ = finished
    expected = (
        "host=db-host port=5432 y=why-value region=eu-west-1"
        " envhost=env-host envvar=env-var-value envjson=bee pw=*** top=***"
    )
    assert tis["templates"].rendered_fields["bash_command"] == f"echo {expected}"
    assert expected in logs["templates"]


def test_the_database_holds_no_plaintext_secret(finished):
    _, _, _, table_rows = finished
    for secret in (DB_PASSWORD, EXTRA_TOKEN, SENSITIVE_VARIABLE, "why-value", "eu-west-1"):
        assert secret not in table_rows
    assert "db-host" in table_rows  # only the secret fields are encrypted, as in Airflow
