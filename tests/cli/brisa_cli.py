"""Running ``brisa`` as a user does: a subprocess with a home of its own and nothing from the
machine's Brisa or Airflow environment; on SQLite, or on PostgreSQL with ``postgres_url``."""

import os
import subprocess
import sys

PLATFORM_VARIABLES = ("PORT", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")


def home_env(tmp_path, database_url=None, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BRISA", "AIRFLOW")) and k not in PLATFORM_VARIABLES
    }
    env.update(
        BRISA_HOME=str(tmp_path),
        BRISA__DATABASE__SQL_ALCHEMY_CONN=database_url or f"sqlite:///{tmp_path}/brisa.db",
        **extra,
    )
    return env


def postgres_url(admin_url, database):
    return admin_url.rsplit("/", 1)[0] + "/" + database


def brisa(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "brisa.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )
