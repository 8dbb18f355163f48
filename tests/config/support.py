"""Helpers shared by the tests of ``brisa.config``: a small dyno's limits, the seed post's
Heroku environment, and ``load()`` with them as defaults."""

import textwrap
from pathlib import Path

from brisa.config import Resources, Settings, load_settings

SMALL_DYNO = Resources(memory_mb=512, cpus=None)
FERNET_KEY = "x3k9Yb1Xo3uVTrZsV6n0hyRUYl2mQ3w2Q3lRZ9KXb2s="

# The seed post's Heroku settings (AIRFLOW__CORE__SQL_ALCHEMY_CONN is `heroku config:get DATABASE_URL`).
HEROKU_DATABASE_URL = "postgres://dbuser:dbpass@ec2-54-1-2-3.compute-1.amazonaws.com:5432/d8abc"
SEED_ENV = {
    "SLUGIFY_USES_TEXT_UNIDECODE": "yes",
    "AIRFLOW_HOME": "/app",
    "AIRFLOW__CORE__DAGS_FOLDER": "/app/dags",
    "AIRFLOW__CORE__FERNET_KEY": FERNET_KEY,
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__SQL_ALCHEMY_CONN": HEROKU_DATABASE_URL,
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
    "AIRFLOW__WEBSERVER__AUTHENTICATE": "True",
    "AIRFLOW__WEBSERVER__AUTH_BACKEND": "airflow.contrib.auth.backends.password_auth",
    "DATABASE_URL": HEROKU_DATABASE_URL,
    "PORT": "31337",
}


def load(environ=None, *, home=None, resources=SMALL_DYNO, **kwargs) -> Settings:
    return load_settings(
        environ or {}, home=None if home is None else str(home), resources=resources, **kwargs
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path
