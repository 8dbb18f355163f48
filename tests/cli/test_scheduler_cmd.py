"""``brisa scheduler`` as a real process: start-up checks and a clean stop."""

import os
import signal
import subprocess
import sys
import time

import pytest
from cryptography.fernet import Fernet

from tests.waiting import wait_until


def _env(tmp_path, key):
    return {
        **os.environ,
        "BRISA_HOME": str(tmp_path),
        "BRISA__CORE__DAGS_FOLDER": str(tmp_path / "dags"),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
        "BRISA__CORE__FERNET_KEY": key,
    }


def _brisa(*args, env, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "brisa.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_a_wrong_fernet_key_stops_the_scheduler_at_start(tmp_path):
    (tmp_path / "dags").mkdir()
    good, wrong = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert _brisa("db", "migrate", env=_env(tmp_path, good)).returncode == 0
    assert _brisa("variables", "set", "api_key", "secret-value", env=_env(tmp_path, good)).returncode == 0
    result = _brisa("scheduler", env=_env(tmp_path, wrong))
    assert result.returncode == 8
    assert "fernet" in (result.stderr + result.stdout).lower()
    assert _brisa("variables", "get", "api_key", env=_env(tmp_path, good)).stdout.strip() == "secret-value"


def test_sigterm_stops_an_idle_scheduler_cleanly(tmp_path):
    (tmp_path / "dags").mkdir()
    env = _env(tmp_path, Fernet.generate_key().decode())
    assert _brisa("db", "migrate", env=env).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "brisa.cli", "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # Its job row is written once the stop signals are installed, just before the loop starts.
    wait_until(
        lambda: (
            proc.poll() is not None
            or _brisa("jobs", "check", "--job-type", "scheduler", env=env).returncode == 0
        ),
        timeout=120,
        what="the scheduler's job to be alive",
        interval=0.2,
    )
    assert proc.poll() is None, proc.communicate()[0]
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert time.monotonic() - started < 25
    assert "stopped" in out
    # One start line says what it runs on; Alembic's set-up says nothing at info.
    (start,) = [line for line in out.splitlines() if "brisa scheduler starting:" in line]
    assert f"database=sqlite:///{tmp_path}/brisa.db" in start
    assert f"dags_folder={tmp_path / 'dags'}" in start and "executor=LocalExecutor" in start
    assert "parallelism=" in start
    assert "setup plugin alembic" not in out and "Context impl" not in out


@pytest.mark.postgres
def test_keys_are_generated_once_for_a_local_postgresql_but_not_on_a_paas(tmp_path, pg_database):
    env = {
        **os.environ,
        "BRISA_HOME": str(tmp_path),
        "BRISA__DATABASE__SQL_ALCHEMY_CONN": pg_database,
        "BRISA__CORE__LOAD_EXAMPLES": "False",
    }
    env.pop("BRISA__CORE__FERNET_KEY", None)
    assert _brisa("db", "migrate", env=env).returncode == 0
    config = (tmp_path / "brisa.cfg").read_text()
    assert "fernet_key" in config and "secret_key" in config
    assert _brisa("db", "migrate", env=env).stdout.count("Generated") == 0
    heroku = tmp_path / "heroku"
    result = _brisa("scheduler", env={**env, "BRISA_HOME": str(heroku), "DYNO": "web.1"})
    assert result.returncode == 8
    assert "fernet key" in result.stderr
    assert not (heroku / "brisa.cfg").exists()
