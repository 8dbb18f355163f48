"""The Procfile on a developer's machine, as the seed's user runs it: ``honcho start web
worker`` in a fresh home (no keys yet) while ``brisa db migrate`` (the release command)
runs beside it, on the local PostgreSQL and Redis.

Before: web and worker each generated and wrote their own keys (values encrypted by one
became unreadable to the other), and web exited at once on a schema the release had not
migrated yet. (``honcho start`` with the release type too stops everything as soon as
the release exits, as foreman does: release is run on its own.)
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request

import pytest

from tests.paas.heroku import PROCFILE, SEED_DAG, Client, free_port, fresh_database, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
PASSWORD = re.compile(r"Login with username: (\S+)\s+password: (\S+)")


def test_web_and_worker_start_beside_the_release_in_a_fresh_home_with_one_set_of_keys(tmp_path):
    home = tmp_path / "app"
    (home / "dags").mkdir(parents=True)
    shutil.copy(SEED_DAG, home / "dags" / "tutorial_dag.py")
    shutil.copy(PROCFILE, home / "Procfile")
    port = free_port()
    with fresh_database() as database_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW", "DYNO"))}
        env.update(
            AIRFLOW_HOME=str(home),
            DATABASE_URL=database_url,
            REDIS_URL="redis://127.0.0.1:6379/13",
            PORT=str(port),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
        )
        log_path = tmp_path / "honcho.log"
        with log_path.open("wb") as log:
            honcho = subprocess.Popen(
                ["honcho", "start", "web", "worker"],
                cwd=home,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        output = log_path.read_text
        try:
            # Web and worker come up before the schema exists, and wait for it (they used to exit).
            wait_for(
                lambda: (
                    output().count("waiting up to 60s for `brisa db migrate`") == 2
                    or honcho.poll() is not None
                ),
                what="web and worker to wait for the schema",
                timeout=120,
                details=output,
            )
            assert honcho.poll() is None, output()
            release = subprocess.run(
                [sys.executable, "-m", "brisa.cli", "db", "migrate"],
                cwd=home,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert release.returncode == 0, release.stdout + release.stderr

            def healthy() -> bool:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=2):
                        return True
                except OSError:
                    assert honcho.poll() is None, output()
                    return False

            wait_for(healthy, what="web to answer", timeout=120, details=output)
            wait_for(lambda: "ready" in output(), what="the worker to be ready", timeout=120, details=output)
            # One set of keys, in the file every process read them from.
            parser = configparser.ConfigParser(interpolation=None)
            parser.read(home / "brisa.cfg")
            assert parser.get("core", "fernet_key") and parser.get("api", "secret_key")
            assert output().count("Generated a fernet key and a secret key") == 1, output()
            password = wait_for(
                lambda: PASSWORD.search(output()), what="the admin password", timeout=30, details=output
            ).group(2)
            client = Client(f"http://127.0.0.1:{port}", "admin", password)
            client.call("POST", "/api/v2/variables", {"key": "region", "value": "eu-west-1"})
            read = subprocess.run(
                [sys.executable, "-m", "brisa.cli", "variables", "get", "region"],
                cwd=home,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert read.returncode == 0, read.stderr
            assert read.stdout.strip() == "eu-west-1"  # encrypted by web, read with the stored key
        finally:
            if honcho.poll() is None:
                os.killpg(honcho.pid, signal.SIGTERM)
            honcho.wait(timeout=60)
