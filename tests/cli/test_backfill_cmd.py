"""``brisa backfill create`` (Airflow 3) through the real CLI, without a scheduler.

The runs actually running, reprocess behaviours and paused DAGs: tests/e2e/test_backfill.py.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from brisa_cli import brisa, home_env, postgres_url

from tests.conftest import PG_ADMIN_URL

DAGS = """
from datetime import datetime

from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG("daily", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False):
    EmptyOperator(task_id="a")

with DAG("manual", schedule=None, start_date=datetime(2024, 1, 1)):
    EmptyOperator(task_id="a")
"""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request, tmp_path):
    url = None
    if request.param == "postgres":
        url = postgres_url(PG_ADMIN_URL, request.getfixturevalue("pg_scratch_database"))
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "backfill_dags.py").write_text(DAGS)
    env = home_env(tmp_path, url, AIRFLOW__CORE__DAGS_FOLDER=str(dags), BRISA__CORE__LOAD_EXAMPLES="False")
    for args in (("db", "migrate"), ("dags", "reserialize")):
        done = brisa(*args, env=env)
        assert done.returncode == 0, done.stderr
    return env


def _create(env, *options, dag_id="daily", start="2024-01-01", end="2024-01-03"):
    args = ("backfill", "create", "--dag-id", dag_id, "--from-date", start, "--to-date", end)
    return brisa(*args, *options, env=env)


def _runs(env, dag_id="daily"):
    done = brisa("dags", "list-runs", dag_id, "-o", "json", env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_dry_run_prints_the_schedule_dates_in_order_and_creates_nothing(env):
    forwards = _create(env, "--dry-run")
    backwards = _create(env, "--dry-run", "--run-backwards")
    days = [f"2024-01-0{d}T00:00:00+00:00" for d in (1, 2, 3)]
    assert forwards.returncode == 0, forwards.stderr
    assert forwards.stdout.splitlines() == ["Runs to be attempted:", *days]
    assert backwards.stdout.splitlines() == ["Runs to be attempted:", *days[::-1]]
    assert _runs(env) == []


def test_create_makes_queued_backfill_runs_with_the_conf(env):
    done = _create(env, "--dag-run-conf", '{"table": "users"}')
    assert done.returncode == 0, done.stderr
    assert "created 3 run(s), re-running 0, skipped 0" in done.stdout
    runs = _runs(env)
    assert sorted(r["logical_date"][:10] for r in runs) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert {(r["run_type"], r["state"], json.dumps(r["conf"])) for r in runs} == {
        ("backfill", "queued", '{"table": "users"}')
    }
    assert "is paused" in done.stderr  # new DAGs are paused: the runs wait, and the CLI says so
    again = _create(env)  # as Airflow 3 (AlreadyRunningBackfill): one active backfill per DAG
    assert again.returncode == 4
    assert "has an active backfill (1)" in again.stderr


def test_intervals_that_have_not_ended_are_left_out(env):
    today = datetime.now(UTC).date()
    done = _create(env, "--dry-run", start=str(today - timedelta(days=2)), end=str(today + timedelta(days=2)))
    dates = done.stdout.splitlines()[1:]
    assert [d[:10] for d in dates] == [str(today - timedelta(days=2)), str(today - timedelta(days=1))]


@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        ({"start": "2024-01-03", "end": "2024-01-01"}, 2, "--from-date must not be after --to-date"),
        ({"dag_id": "manual"}, 2, "no periodic schedule"),
        ({"dag_id": "missing"}, 3, "DAG 'missing' not found"),
        ({"start": "2999-01-01", "end": "2999-01-02"}, 2, "No runs to create"),
    ],
)
def test_refused_backfills_exit_non_zero_and_create_nothing(env, options, code, message):
    done = _create(env, **options)
    assert done.returncode == code
    assert message in done.stderr
    assert _runs(env) == []


def test_bad_conf_and_reprocess_behavior_are_refused(env):
    bad_conf = _create(env, "--dag-run-conf", "[1]")
    assert bad_conf.returncode != 0 and "--dag-run-conf must be a JSON object" in bad_conf.stderr
    bad_choice = _create(env, "--reprocess-behavior", "all")
    assert bad_choice.returncode == 2 and "'none', 'failed', 'completed'" in bad_choice.stderr


def _backfills(env, *options):
    done = brisa("backfill", "list", "-o", "json", *options, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_backfill_is_recorded_with_its_max_active_runs_and_its_runs_carry_its_id(env):
    done = _create(env, "--max-active-runs", "2", "--run-backwards", "--reprocess-behavior", "failed")
    assert done.returncode == 0, done.stderr
    assert "Backfill 1 of daily (max_active_runs 2)" in done.stdout
    [record] = _backfills(env)
    assert {
        k: record[k] for k in ("id", "dag_id", "max_active_runs", "run_backwards", "reprocess_behavior")
    } == {
        "id": 1,
        "dag_id": "daily",
        "max_active_runs": 2,
        "run_backwards": True,
        "reprocess_behavior": "failed",
    }
    assert (record["from_date"][:10], record["to_date"][:10], record["completed_at"]) == (
        "2024-01-01",
        "2024-01-03",
        None,
    )
    assert {r["backfill_id"] for r in _runs(env)} == {1}
    assert _create(env, dag_id="daily", start="2024-01-05", end="2024-01-05").returncode == 4


def test_max_active_runs_defaults_to_airflow_3s_ten(env):
    assert _create(env).returncode == 0
    assert _backfills(env)[0]["max_active_runs"] == 10


def test_pause_unpause_and_cancel(env):
    assert _create(env).returncode == 0
    paused = brisa("backfill", "pause", "1", env=env)
    assert paused.returncode == 0 and "Backfill 1 of daily paused." in paused.stdout
    assert _backfills(env)[0]["is_paused"] is True
    assert brisa("backfill", "unpause", "1", env=env).returncode == 0
    assert _backfills(env)[0]["is_paused"] is False
    cancelled = brisa("backfill", "cancel", "1", env=env)
    assert cancelled.returncode == 0, cancelled.stderr
    assert {r["state"] for r in _runs(env)} == {"failed"}  # queued runs fail, as Airflow 3
    assert _backfills(env, "--active") == []
    again = brisa("backfill", "cancel", "1", env=env)
    assert again.returncode == 4 and "already completed" in again.stderr
    missing = brisa("backfill", "pause", "9", env=env)
    assert missing.returncode == 3 and "Backfill 9 not found" in missing.stderr
    assert _create(env, "--reprocess-behavior", "failed").returncode == 0  # the DAG may be backfilled again


def test_airflow_1_backfill_form_names_its_replacement(env):
    done = brisa("backfill", "daily", "-s", "2024-01-01", "-e", "2024-01-03", env=env)
    assert done.returncode == 2
    assert "use `brisa backfill create`" in done.stderr
    assert brisa("backfill", "--help", env=env).returncode == 0
