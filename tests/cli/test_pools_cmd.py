"""``brisa pools ...`` as a user runs it: Airflow 3's names, arguments, file format and output."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PG_ADMIN_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def home_env(request, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW"))}
    env.pop("DATABASE_URL", None)
    url = f"sqlite:///{tmp_path}/brisa.db"
    if request.param == "postgres":
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + request.getfixturevalue("pg_scratch_database")
    env.update(BRISA_HOME=str(tmp_path), BRISA__DATABASE__SQL_ALCHEMY_CONN=url)
    assert brisa("db", "migrate", env=env).returncode == 0
    return env


def brisa(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "brisa.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_set_get_list_and_delete_like_airflow(home_env):
    created = brisa("pools", "set", "etl", "4", "ETL jobs", env=home_env)
    assert (created.returncode, created.stdout) == (0, "Pool etl created\n"), created.stderr
    got = json.loads(brisa("pools", "get", "etl", "-o", "json", env=home_env).stdout)
    assert got == [
        {
            "pool": "etl",
            "slots": 4,
            "description": "ETL jobs",
            "include_deferred": False,
            "running": 0,
            "queued": 0,
            "scheduled": 0,
        }
    ]
    listed = brisa("pools", "list", "-o", "plain", env=home_env).stdout.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [["default_pool", "128"], ["etl", "4"]]
    deleted = brisa("pools", "delete", "etl", env=home_env)
    assert (deleted.returncode, deleted.stdout) == (0, "Pool etl deleted\n")
    missing = brisa("pools", "get", "etl", env=home_env)
    assert missing.returncode == 3 and "pool 'etl' not found" in missing.stderr


def test_refusals_exit_with_the_documented_codes(home_env):
    assert brisa("pools", "delete", "default_pool", env=home_env).returncode == 2
    assert brisa("pools", "set", "p", "-5", "bad", env=home_env).returncode == 2
    deferred = brisa("pools", "set", "p", "1", "d", "--include-deferred", env=home_env)
    assert deferred.returncode == 2 and "deferred" in deferred.stderr
    assert brisa("pools", "delete", "never", env=home_env).returncode == 3


def test_export_then_import_round_trips_airflows_file_format(home_env, tmp_path):
    brisa("pools", "set", "etl", "-1", "unlimited", env=home_env)
    exported = tmp_path / "pools.json"
    result = brisa("pools", "export", str(exported), env=home_env)
    assert result.stdout == f"Exported 2 pools to {exported}\n"
    document = json.loads(exported.read_text())
    assert document["etl"] == {"slots": -1, "description": "unlimited", "include_deferred": False}
    airflow_file = tmp_path / "airflow_pools.json"
    airflow_file.write_text(json.dumps({"ml": {"slots": 2, "description": "GPU", "include_deferred": False}}))
    imported = brisa("pools", "import", str(airflow_file), env=home_env)
    assert (imported.returncode, imported.stdout) == (0, "Uploaded 1 pool(s)\n")
    names = brisa("pools", "list", "-o", "json", env=home_env).stdout
    assert [p["pool"] for p in json.loads(names)] == ["default_pool", "etl", "ml"]
    airflow_file.write_text('{"bad": {"slots": "two"}}')
    assert brisa("pools", "import", str(airflow_file), env=home_env).returncode == 2


def test_a_table_written_to_a_pipe_does_not_wrap_at_80_columns(home_env):
    description = "a description long enough to push this table well past eighty columns of text"
    brisa("pools", "set", "wide", "3", description, env=home_env)
    table = brisa("pools", "list", env={**home_env, "COLUMNS": ""}).stdout
    row = next(line for line in table.splitlines() if line.startswith("wide"))
    assert description in row


def _seed_run_in_missing_pool(url):
    from brisa.services.runs import trigger_run
    from brisa.states import RunState
    from brisa.store.sql import Store
    from brisa.testing import FakeClock, make_dag

    clock = FakeClock()
    dag = make_dag("pooled", {"a": []}, task_options={"a": {"pool": "nope"}})
    store = Store(url)
    try:
        with store.transaction() as tx:
            tx.dags.upsert(dag, paused_when_new=False, now=clock())
            run_id = trigger_run(tx, dag, now=clock()).run_id
            tx.runs.compare_and_set("pooled", run_id, {RunState.QUEUED}, RunState.RUNNING, start_date=clock())
            return run_id
    finally:
        store.dispose()


def test_tasks_failed_deps_names_the_missing_pool(home_env):
    run_id = _seed_run_in_missing_pool(home_env["BRISA__DATABASE__SQL_ALCHEMY_CONN"])
    result = brisa("tasks", "failed-deps", "pooled", "a", run_id, env=home_env)
    assert result.returncode == 0, result.stderr
    assert "Dependencies not met for pooled.a" in result.stdout
    assert "Pool Slots Available: pool 'nope' does not exist" in result.stdout
    brisa("pools", "set", "nope", "1", "now it exists", env=home_env)
    met = brisa("tasks", "failed-deps", "pooled", "a", run_id, env=home_env)
    assert met.stdout == "Task instance dependencies are all met.\n"
