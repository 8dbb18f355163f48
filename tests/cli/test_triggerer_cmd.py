"""``brisa triggerer`` as a real process: a triggerer job, gone cleanly at SIGTERM."""

import os
import signal
import subprocess
import sys
import time

from brisa.store.sql import Store


def _env(tmp_path):
    return {
        **os.environ,
        "BRISA_HOME": str(tmp_path),
        "BRISA__CORE__DAGS_FOLDER": str(tmp_path / "dags"),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
    }


def _triggerer_jobs(store):
    with store.transaction(readonly=True) as tx:
        return [job for job in tx.jobs.recent(limit=10) if job.job_type == "triggerer"]


def test_the_triggerer_heartbeats_as_a_job_and_ends_it_at_sigterm(tmp_path):
    (tmp_path / "dags").mkdir()
    env = _env(tmp_path)
    migrate = subprocess.run(
        [sys.executable, "-m", "brisa.cli", "db", "migrate"], env=env, capture_output=True
    )
    assert migrate.returncode == 0, migrate.stderr
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    proc = subprocess.Popen(
        [sys.executable, "-m", "brisa.cli", "triggerer", "--capacity", "7"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _triggerer_jobs(store) and time.monotonic() < deadline:
            time.sleep(0.2)
        [job] = _triggerer_jobs(store)
        assert (job.state, job.pid) == ("running", proc.pid)
        check = subprocess.run(
            [sys.executable, "-m", "brisa.cli", "jobs", "check", "--job-type", "TriggererJob"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0 and "Found one alive job." in check.stdout
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, out
    assert "capacity 7" in out
    [job] = _triggerer_jobs(store)
    assert job.state == "success" and job.end_date is not None
    store.dispose()
