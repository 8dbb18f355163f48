"""``brisa jobs check``: Airflow 3's liveness probe, against the job table of a real database."""

from datetime import UTC, datetime, timedelta

import pytest
from brisa_cli import brisa, home_env, postgres_url

from brisa.store.sql import Store
from tests.conftest import PG_ADMIN_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request, tmp_path):
    url = None
    if request.param == "postgres":
        url = postgres_url(PG_ADMIN_URL, request.getfixturevalue("pg_scratch_database"))
    env = home_env(tmp_path, url)
    assert brisa("db", "migrate", env=env).returncode == 0
    return env


def _start_job(env, job_type, hostname, heartbeat_age):
    store = Store(env["BRISA__DATABASE__SQL_ALCHEMY_CONN"])
    try:
        with store.transaction() as tx:
            tx.jobs.start(job_type, hostname=hostname, pid=1, now=datetime.now(UTC) - heartbeat_age)
    finally:
        store.dispose()


def test_no_job_exits_1(env):
    result = brisa("jobs", "check", "--job-type", "SchedulerJob", env=env)
    assert result.returncode == 1 and "No alive jobs found." in result.stderr


def test_a_scheduler_that_heartbeats_is_alive_and_a_stale_one_is_not(env):
    _start_job(env, "scheduler", "old-host", timedelta(hours=1))
    assert brisa("jobs", "check", "--job-type", "SchedulerJob", env=env).returncode == 1
    _start_job(env, "scheduler", "web-1", timedelta(0))
    alive = brisa("jobs", "check", "--job-type", "SchedulerJob", "--hostname", "web-1", env=env)
    assert (alive.returncode, alive.stdout) == (0, "Found one alive job.\n"), alive.stderr
    assert brisa("jobs", "check", "--hostname", "old-host", env=env).returncode == 1
    assert brisa("jobs", "check", "--job-type", "celery_worker", env=env).returncode == 1


def test_several_alive_jobs_need_allow_multiple(env):
    _start_job(env, "scheduler", "a", timedelta(0))
    _start_job(env, "standalone", "b", timedelta(0))
    assert brisa("jobs", "check", env=env).stdout == "Found one alive job.\n"  # --limit 1: the newest
    strict = brisa("jobs", "check", "--limit", "2", env=env)
    assert strict.returncode == 1 and "Found 2 alive jobs. Expected only one." in strict.stderr
    ok = brisa("jobs", "check", "--limit", "2", "--allow-multiple", env=env)
    assert (ok.returncode, ok.stdout) == (0, "Found 2 alive jobs.\n")
    assert brisa("jobs", "check", "--allow-multiple", env=env).returncode == 2
    assert brisa("jobs", "check", "--local", "--hostname", "a", env=env).returncode == 2
