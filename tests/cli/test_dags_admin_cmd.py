"""``brisa dags delete/list-jobs/report/clear`` and ``list-runs -s/-e``, through the real CLI."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from brisa_cli import brisa, home_env, postgres_url

from brisa.services.runs import trigger_run
from brisa.states import TaskState
from brisa.store.records import TaskKey
from brisa.store.sql import Store
from brisa.testing import make_dag
from tests.conftest import PG_ADMIN_URL

DAY = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request, tmp_path):
    url = None
    if request.param == "postgres":
        url = postgres_url(PG_ADMIN_URL, request.getfixturevalue("pg_scratch_database"))
    dags = tmp_path / "dags"
    dags.mkdir()
    env = home_env(tmp_path, url, AIRFLOW__CORE__DAGS_FOLDER=str(dags), BRISA__CORE__LOAD_EXAMPLES="False")
    assert brisa("db", "migrate", env=env).returncode == 0
    return env


def _seed(env, days=3):
    """DAG ``etl`` (a -> b) with one manual run per day from DAY; their run ids."""
    dag = make_dag("etl", {"a": [], "b": ["a"]})
    store = Store(env["BRISA__DATABASE__SQL_ALCHEMY_CONN"])
    try:
        with store.transaction() as tx:
            tx.dags.upsert(dag, paused_when_new=True, now=DAY)
            return [
                trigger_run(tx, dag, now=DAY, logical_date=DAY + timedelta(days=i)).run_id
                for i in range(days)
            ]
    finally:
        store.dispose()


def _with_store(env, action):
    store = Store(env["BRISA__DATABASE__SQL_ALCHEMY_CONN"])
    try:
        with store.transaction() as tx:
            return action(tx)
    finally:
        store.dispose()


def test_list_runs_filters_by_logical_date(env):
    run_ids = _seed(env)
    result = brisa("dags", "list-runs", "etl", "-s", "2024-01-02", "-e", "2024-01-03", "-o", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(r["run_id"] for r in json.loads(result.stdout)) == sorted(run_ids[1:])


def test_trigger_with_a_partition_key(env):
    _seed(env, days=0)
    result = brisa("dags", "trigger", "etl", "--partition-key", "us", "-o", "json", env=env)
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["partition_key"] == "us"
    assert _with_store(env, lambda tx: tx.runs.get("etl", row["run_id"]).partition_key) == "us"


def test_delete_forgets_the_dag_and_its_runs(env):
    _seed(env)
    deleted = brisa("dags", "delete", "etl", "-y", env=env)
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(brisa("dags", "list", "-o", "json", env=env).stdout or "[]") == []
    again = brisa("dags", "delete", "etl", "-y", env=env)
    assert again.returncode == 3 and "etl" in again.stderr


def test_clear_sends_failed_tasks_back_to_none(env):
    run_ids = _seed(env, days=1)
    key = TaskKey("etl", run_ids[0], "a")
    _with_store(env, lambda tx: tx.tis.compare_and_set(key, {None}, TaskState.FAILED, try_number=1))
    result = brisa("dags", "clear", "etl", "--only-failed", "-y", env=env)
    assert (result.returncode, result.stdout) == (0, "Cleared 1 task instance(s).\n"), result.stderr
    assert _with_store(env, lambda tx: tx.tis.require(key).state) is None


def test_list_jobs_newest_first_and_those_of_a_dag(env):
    run_ids = _seed(env, days=1)
    now = datetime.now(UTC)
    first = _with_store(env, lambda tx: tx.jobs.start("scheduler", hostname="h1", pid=1, now=now))
    second = _with_store(
        env, lambda tx: tx.jobs.start("celery_worker", hostname="h2", pid=2, now=now + timedelta(1))
    )
    listed = json.loads(brisa("dags", "list-jobs", "-o", "json", env=env).stdout)
    assert [j["id"] for j in listed] == [second, first]
    key = TaskKey("etl", run_ids[0], "a")
    _with_store(env, lambda tx: tx.tis.update_fields(key, queued_by_job_id=first))
    of_dag = json.loads(brisa("dags", "list-jobs", "-d", "etl", "-o", "json", env=env).stdout)
    assert [(j["id"], j["job_type"]) for j in of_dag] == [(first, "scheduler")]


DAG_FILE = """
from datetime import datetime
from airflow import DAG
from airflow.operators.empty import EmptyOperator

for name in ("one", "two"):
    with DAG(name, schedule=None, start_date=datetime(2024, 1, 1)):
        EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")
"""


def test_report_shows_each_file_its_dags_and_tasks(env, tmp_path):
    folder = tmp_path / "dags"
    (folder / "pair.py").write_text(DAG_FILE)
    (folder / "broken.py").write_text("from airflow import DAG\nraise RuntimeError('nope')\n")
    result = brisa("dags", "report", "-o", "json", env=env)
    assert result.returncode == 0, result.stderr
    rows = {r["file"].rsplit("/", 1)[-1]: r for r in json.loads(result.stdout)}
    assert (rows["pair.py"]["dag_num"], rows["pair.py"]["task_num"], rows["pair.py"]["dags"]) == (
        2,
        4,
        "one, two",
    )
    assert rows["broken.py"]["dag_num"] == 0
    assert "broken.py" in result.stderr


SENSOR_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.operators.python import PythonOperator

def never_ready():
    raise RuntimeError("the file never arrives here")

with DAG("waits", schedule=None, start_date=datetime(2024, 1, 1)):
    PythonOperator(task_id="wait_for_file", python_callable=never_ready) >> PythonOperator(
        task_id="load", python_callable=lambda: print("loaded the file")
    )
"""


def test_dags_test_mark_success_pattern_skips_running_matching_tasks(tmp_path):
    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "waits.py").write_text(SENSOR_DAG)
    env = home_env(tmp_path, AIRFLOW__CORE__DAGS_FOLDER=str(folder), BRISA__CORE__LOAD_EXAMPLES="False")
    failing = brisa("dags", "test", "waits", "2024-01-01", env=env)
    assert failing.returncode == 1
    marked = brisa("dags", "test", "waits", "2024-01-01", "--mark-success-pattern", "^wait_", env=env)
    assert marked.returncode == 0, marked.stdout[-2000:] + marked.stderr[-2000:]
    assert "wait_for_file: marked success" in marked.stdout
    assert "loaded the file" in marked.stdout and "never arrives" not in marked.stdout
    bad = brisa("dags", "test", "waits", "--mark-success-pattern", "(", env=env)
    assert bad.returncode == 2


def test_reserialize_writes_the_dags_and_import_errors_to_the_database(env, tmp_path):
    folder = tmp_path / "dags"
    (folder / "pair.py").write_text(DAG_FILE)
    (folder / "broken.py").write_text("from airflow import DAG\nraise RuntimeError('nope')\n")
    result = brisa("dags", "reserialize", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Reserialized the DAG files: 2 DAG(s), 1 import error(s).\n"
    listed = json.loads(brisa("dags", "list", "-o", "json", env=env).stdout)
    assert sorted(d["dag_id"] for d in listed) == ["one", "two"]
    errors = brisa("dags", "list-import-errors", "-o", "json", env=env)
    assert errors.returncode == 1 and "broken.py" in errors.stdout


LINKED_DAGS = """
from datetime import datetime
from airflow import DAG
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sensors.external_task import ExternalTaskSensor

with DAG("upstream", schedule=None, start_date=datetime(2024, 1, 1)):
    TriggerDagRunOperator(task_id="kick", trigger_dag_id="downstream")

with DAG("downstream", schedule=None, start_date=datetime(2024, 1, 1)):
    ExternalTaskSensor(task_id="wait", external_dag_id="upstream", external_task_id="kick")
"""


def test_show_dependencies_lists_trigger_and_sensor_edges(env, tmp_path):
    (tmp_path / "dags" / "linked.py").write_text(LINKED_DAGS)
    assert brisa("dags", "reserialize", env=env).returncode == 0
    result = brisa("dags", "show-dependencies", "-o", "json", env=env)
    assert result.returncode == 0, result.stderr
    edges = sorted(
        (e["source"], e["target"], e["dependency_type"], e["task_id"]) for e in json.loads(result.stdout)
    )
    assert edges == [
        ("upstream", "downstream", "sensor", "wait"),
        ("upstream", "downstream", "trigger", "kick"),
    ]
